"""The lead list and the lead page: what they show, who may see them, and what they cost in queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from activities.services import log_activity, record_event
from assignment.selectors import list_unassigned_leads
from leads.models import Lead, LeadStatusChange
from nurture.models import Delivery
from nurture.services.enrollment import enroll_lead
from opportunities.models import Stage
from tests.factories import (
    AccountFactory,
    ContactFactory,
    LeadFactory,
    OpportunityFactory,
    SequenceFactory,
    StepFactory,
)

pytestmark = pytest.mark.django_db


def _leads_with_history(owner, n):
    leads = []
    for i in range(n):
        lead = LeadFactory(owner=owner, score=i % 100)
        LeadStatusChange.objects.create(lead=lead, to_status="new", changed_by=owner, changed_at=timezone.now())
        leads.append(lead)
    return leads


# --- lead list -----------------------------------------------------------------


def test_the_lead_list_opens_on_my_open_leads(client, rep, other_rep):
    LeadFactory(owner=rep, last_name="Mine")
    LeadFactory(owner=rep, last_name="Gone", status=Lead.Status.UNQUALIFIED)
    LeadFactory(owner=other_rep, last_name="Theirs")
    client.force_login(rep)
    content = client.get(reverse("leads:list")).content.decode()
    assert "Mine" in content
    assert "Gone" not in content
    assert "Theirs" not in content


def test_the_lead_list_filters_by_status_source_rating_and_mql(client, rep):
    LeadFactory(owner=rep, last_name="Hotwebmql", source="web", rating="hot", mql_at=timezone.now(), status="working")
    LeadFactory(owner=rep, last_name="Coldreferral", source="referral", rating="cold", status="working")
    client.force_login(rep)
    url = reverse("leads:list")
    assert "Hotwebmql" in client.get(url, {"rating": "hot"}).content.decode()
    assert "Coldreferral" not in client.get(url, {"rating": "hot"}).content.decode()
    assert "Coldreferral" in client.get(url, {"source": "referral"}).content.decode()
    assert "Hotwebmql" not in client.get(url, {"mql": "no"}).content.decode()
    assert "Hotwebmql" in client.get(url, {"mql": "yes", "status": "working"}).content.decode()


def test_the_lead_list_searches_name_email_and_company(client, rep):
    LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", email="ada@engines.example", company="Analytical")
    LeadFactory(owner=rep, first_name="Alan", last_name="Turing", email="alan@bletchley.example", company="Bombe")
    client.force_login(rep)
    url = reverse("leads:list")
    for q in ["Lovelace", "ada@engines.example", "Analytic", "Ada Love"]:
        content = client.get(url, {"q": q}).content.decode()
        assert "Lovelace" in content and "Turing" not in content, q


def test_the_lead_list_filters_by_created_range(client, rep):
    old = LeadFactory(owner=rep, last_name="Oldtimer")
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    LeadFactory(owner=rep, last_name="Newcomer")
    client.force_login(rep)
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    content = client.get(reverse("leads:list"), {"created_from": since}).content.decode()
    assert "Newcomer" in content and "Oldtimer" not in content


def test_a_manager_sees_unassigned_leads_and_a_rep_cannot_widen_the_owner_filter(client, rep, manager):
    LeadFactory(owner=None, last_name="Orphan")
    client.force_login(manager)
    assert "Orphan" in client.get(reverse("leads:list"), {"owner": "unassigned"}).content.decode()
    client.force_login(rep)
    assert "Orphan" not in client.get(reverse("leads:list"), {"owner": "unassigned"}).content.decode()


def _converted(lead, opportunity):
    Lead.objects.filter(pk=lead.pk).update(
        status=Lead.Status.CONVERTED,
        converted_at=timezone.now(),
        converted_account=opportunity.account,
        converted_opportunity=opportunity,
    )


def test_the_lead_list_filters_sqls_and_won_leads_of_any_status(client, rep, other_rep):
    LeadFactory(owner=rep, last_name="Unqualifiedyet", status="working")
    LeadFactory(owner=rep, last_name="Qualifiedone", status="qualified", qualified_at=timezone.now())
    won = LeadFactory(owner=rep, last_name="Wonconverted", qualified_at=timezone.now())
    _converted(won, OpportunityFactory(owner=rep, stage=Stage.objects.get(is_won=True)))
    open_deal = LeadFactory(owner=rep, last_name="Opendealconverted", qualified_at=timezone.now())
    _converted(open_deal, OpportunityFactory(owner=rep))
    theirs = LeadFactory(owner=other_rep, last_name="Theirswon", qualified_at=timezone.now())
    _converted(theirs, OpportunityFactory(owner=other_rep, stage=Stage.objects.get(is_won=True)))
    client.force_login(rep)
    url = reverse("leads:list")

    sqls = client.get(url, {"status": "all", "sql": "yes"}).content.decode()
    not_sqls = client.get(url, {"status": "all", "sql": "no"}).content.decode()
    won_list = client.get(url, {"status": "converted", "won": "yes"}).content.decode()

    assert all(name in sqls for name in ["Qualifiedone", "Wonconverted", "Opendealconverted"])
    assert "Unqualifiedyet" not in sqls and "Theirswon" not in sqls
    assert "Unqualifiedyet" in not_sqls and "Qualifiedone" not in not_sqls
    assert "Wonconverted" in won_list
    assert "Opendealconverted" not in won_list and "Theirswon" not in won_list


def test_a_funnel_link_lists_the_cohort_of_any_status_and_owner_for_a_manager(client, rep, manager):
    old = LeadFactory(owner=rep, last_name="Lastyear", mql_at=timezone.now())
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    LeadFactory(owner=rep, last_name="Mqlunqualified", status="unqualified", mql_at=timezone.now())
    LeadFactory(owner=rep, last_name="Notmql")
    today = timezone.localdate()
    client.force_login(manager)
    funnel = client.get(reverse("dashboards:dashboard"), {"preset": "this_month"})
    link = next(stage["href"] for stage in funnel.context["data"]["stages"] if stage["key"] == "mql")

    content = client.get(link).content.decode()

    assert "Mqlunqualified" in content
    assert "Lastyear" not in content and "Notmql" not in content
    assert f'value="{today.replace(day=1).isoformat()}"' in content


def test_the_unassigned_view_lists_what_list_unassigned_leads_returns(client, rep, manager):
    LeadFactory(owner=None, last_name="Orphanopen", status="working")
    LeadFactory(owner=None, last_name="Orphanclosed", status="unqualified")
    LeadFactory(owner=rep, last_name="Owned")
    client.force_login(manager)

    leads = client.get(reverse("leads:list"), {"owner": "unassigned"}).context["leads"]

    assert sorted(lead.pk for lead in leads) == sorted(lead.pk for lead in list_unassigned_leads(manager))
    assert [lead.last_name for lead in leads] == ["Orphanopen"]


def test_keyset_pages_walk_every_lead_once_in_both_directions(client, rep):
    leads = _leads_with_history(rep, 120)
    client.force_login(rep)
    url = reverse("leads:list")
    seen, pages, response = [], [], client.get(url, {"sort": "-score"})
    while True:
        page = [lead.pk for lead in response.context["leads"]]
        pages.append(page)
        seen += page
        if not response.context["next_link"]:
            break
        response = client.get(url + response.context["next_link"])
    assert sorted(seen) == sorted(lead.pk for lead in leads)
    assert len(seen) == len(set(seen))
    assert [len(p) for p in pages] == [50, 50, 20]
    back = client.get(url + response.context["previous_link"])
    assert [lead.pk for lead in back.context["leads"]] == pages[1]
    scores = [Lead.objects.get(pk=pk).score for pk in seen]
    assert scores == sorted(scores, reverse=True)


def test_sorting_by_last_activity_puts_leads_without_activity_last(client, rep):
    quiet = LeadFactory(owner=rep, last_name="Quiet")
    busy = LeadFactory(owner=rep, last_name="Busy")
    log_activity(by=rep, kind="call", subject="Intro call", lead=busy)
    client.force_login(rep)
    leads = client.get(reverse("leads:list"), {"sort": "-last_activity_at"}).context["leads"]
    assert [lead.pk for lead in leads] == [busy.pk, quiet.pk]


def test_the_lead_list_costs_a_fixed_number_of_queries(client, rep, manager, django_assert_max_num_queries):
    _leads_with_history(rep, 60)
    client.force_login(rep)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("leads:list")).status_code == 200
    client.force_login(manager)
    # session, user, the manager's team members (read once), the owners a manager may pick, one page of leads,
    # the count (capped), the teams a manager may share a saved view with, unread notifications, session save
    # (3 statements)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("leads:list"), {"owner": "any", "sort": "-last_activity_at"}).status_code == 200


def test_inline_status_change_returns_to_the_list(client, rep):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)
    response = client.post(
        reverse("leads:status", args=[lead.pk]), {"status": "working", "next": "/leads/?sort=-score"}
    )
    assert response.status_code == 302 and response["Location"] == "/leads/?sort=-score"
    lead.refresh_from_db()
    assert lead.status == "working"
    assert LeadStatusChange.objects.filter(lead=lead, to_status="working", changed_by=rep).exists()


def test_unqualifying_without_a_reason_is_refused_with_a_field_message(client, rep):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)
    response = client.post(reverse("leads:status", args=[lead.pk]), {"status": "unqualified"})
    assert response.status_code == 400
    assert "Say why the lead is unqualified." in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == "new"
    client.post(reverse("leads:status", args=[lead.pk]), {"status": "unqualified", "reason": "No budget"})
    lead.refresh_from_db()
    assert (lead.status, lead.unqualified_reason) == ("unqualified", "No budget")


def test_another_reps_lead_is_404_for_every_lead_page(client, rep, other_rep):
    lead = LeadFactory(owner=other_rep)
    client.force_login(rep)
    assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 404
    assert client.get(reverse("leads:edit", args=[lead.pk])).status_code == 404
    assert client.post(reverse("leads:status", args=[lead.pk]), {"status": "working"}).status_code == 404
    post = {"kind": "note", "subject": "Sneaky"}
    assert client.post(reverse("leads:log_activity", args=[lead.pk]), post).status_code == 404
    lead.refresh_from_db()
    assert lead.status == "new" and not Activity.objects.filter(lead=lead).exists()


def test_bulk_status_asks_for_confirmation_then_changes_only_visible_leads(client, rep, other_rep):
    mine = [LeadFactory(owner=rep) for _ in range(3)]
    theirs = LeadFactory(owner=other_rep)
    client.force_login(rep)
    data = {"ids": [lead.pk for lead in mine] + [theirs.pk], "action": "status", "status": "working"}
    confirm = client.post(reverse("leads:bulk"), data)
    assert confirm.status_code == 200
    assert "Set the status of these <strong>3</strong> leads" in confirm.content.decode()
    assert Lead.objects.filter(status="working").count() == 0
    client.post(reverse("leads:bulk"), {**data, "confirm": "on"})
    assert Lead.objects.filter(pk__in=[lead.pk for lead in mine], status="working").count() == 3
    theirs.refresh_from_db()
    assert theirs.status == "new"


def test_bulk_reassign_is_for_managers_only(client, rep, other_rep, manager):
    lead = LeadFactory(owner=rep)
    data = {"ids": [lead.pk], "action": "reassign", "owner": manager.pk, "confirm": "on"}
    client.force_login(rep)
    client.post(reverse("leads:bulk"), data)
    lead.refresh_from_db()
    assert lead.owner == rep
    client.force_login(manager)
    client.post(reverse("leads:bulk"), data)
    lead.refresh_from_db()
    assert lead.owner == manager


def test_a_bad_filter_value_drops_only_that_filter(client, rep):
    LeadFactory(owner=rep, last_name="Hotone", rating="hot")
    LeadFactory(owner=rep, last_name="Coldone", rating="cold")
    client.force_login(rep)
    response = client.get(reverse("leads:list"), {"rating": "hot", "created_from": "not-a-date", "after": "junk"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Hotone" in content and "Coldone" not in content


def test_a_manager_opens_the_lead_list_on_their_teams_leads_and_a_rep_on_their_own(client, rep, manager, other_rep):
    team_lead = LeadFactory(owner=rep, last_name="Teamlead")
    LeadFactory(owner=other_rep, last_name="Outsider")
    client.force_login(manager)
    page = client.get(reverse("leads:list")).content.decode()
    assert "Teamlead" in page
    assert "Outsider" not in page
    client.force_login(other_rep)
    page = client.get(reverse("leads:list")).content.decode()
    assert "Outsider" in page
    assert team_lead.last_name not in page


# --- lead page -----------------------------------------------------------------


def test_the_lead_page_shows_contact_links_score_duplicates_and_convert(client, rep, other_rep):
    lead = LeadFactory(
        owner=rep,
        email="pat@acme.example",
        phone="+1 555 0100",
        company="Acme",
        last_name="Lee",
        score=72,
        rating="hot",
    )
    twin = LeadFactory(owner=rep, email="pat.lee@acme.example", company="ACME", last_name="lee")
    hidden = LeadFactory(owner=other_rep, company="Acme", last_name="Lee", email="x@acme.example")
    client.force_login(rep)
    content = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert 'href="mailto:pat@acme.example"' in content
    assert 'href="tel:+15550100"' in content
    assert "72 · Hot" in content
    assert f'href="/leads/{lead.pk}/convert/"' in content
    assert f'href="/leads/{twin.pk}/"' in content
    assert f'href="/leads/{hidden.pk}/"' not in content


def test_the_lead_page_explains_the_score_rule_by_rule_with_engagement_and_the_clamp(client, rep):
    lead = LeadFactory(owner=rep, email="pat@gmail.com", phone="", company="", title="Intern", source="other")
    client.force_login(rep)

    response = client.get(reverse("leads:detail", args=[lead.pk]))

    rows = [(row["rule"], row["points"], row["kind"]) for row in response.context["breakdown"]]
    assert sorted(rows[:-2]) == [
        ("Free-mail address", -15, "rule"),
        ("Missing company", -10, "rule"),
        ("Missing phone", -10, "rule"),
    ]
    assert rows[-2:] == [("Engagement", 0, "engagement"), ("Score limited to 0-100", 35, "clamp")]
    content = response.content.decode()
    assert "How the score is made" in content and "Free-mail address" in content and "+35" in content
    assert 'class="line-clamp"' in content and 'class="line-engagement"' in content


def test_the_timeline_lists_activities_events_and_status_changes_newest_first(client, rep):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)
    client.post(reverse("leads:status", args=[lead.pk]), {"status": "working"})
    response = client.post(
        reverse("leads:log_activity", args=[lead.pk]),
        {"kind": "call", "subject": "Discovery call", "body": "Needs 40 seats"},
    )
    assert response.status_code == 302
    timeline = client.get(reverse("leads:detail", args=[lead.pk])).context["timeline"]
    assert [item.type for item in timeline][:2] == ["activity", "status"]
    assert timeline[0].title == "Discovery call"
    lead.refresh_from_db()
    assert lead.last_activity_at is not None


def test_the_timeline_labels_every_system_event_kind(client, rep):
    lead = LeadFactory(owner=rep)
    kinds = {
        "nurture_email": "Nurture email",
        "unsubscribed": "Unsubscribed",
        "mql": "MQL",
        "assigned": "Assigned",
        "assignment_failed": "Not assigned",
        "converted": "Converted",
        "field_changed": "Edited",
        "nurture_enrolled": "Nurture",
        "nurture_stopped": "Nurture stopped",
        "form_submitted": "Web form",
        "some_new_kind": "Some new kind",
    }
    for kind in kinds:
        record_event(kind, f"Summary of {kind}", lead=lead)
    client.force_login(rep)

    content = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    for kind, label in kinds.items():
        assert f'class="badge kind kind-{kind}"' in content
        assert f"</span> {label}</span>" in content, kind


def test_a_task_needs_a_due_date(client, rep):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)
    response = client.post(reverse("leads:log_activity", args=[lead.pk]), {"kind": "task", "subject": "Follow up"})
    assert response.status_code == 400
    assert "A task needs a due date." in response.content.decode()
    assert not Activity.objects.exists()


def test_the_lead_page_costs_a_fixed_number_of_queries(client, rep, django_assert_max_num_queries):
    lead = LeadFactory(owner=rep, company="Acme", last_name="Lee")
    for i in range(30):
        log_activity(by=rep, kind="note", subject=f"Note {i}", lead=lead)
        LeadStatusChange.objects.create(lead=lead, to_status="working", changed_by=rep, changed_at=timezone.now())
        LeadFactory(owner=rep, company="Acme", last_name="Lee")
    for _ in range(3):
        sequence = SequenceFactory()
        StepFactory(sequence=sequence, order=1)
        enrollment = enroll_lead(lead, sequence=sequence, by=rep)
        Delivery.objects.create(enrollment=enrollment, step=enrollment.current_step, status="sent")
    client.force_login(rep)
    # session, user, lead, 4 for the score breakdown (rules, weights, rule matches, engagement), 1 for the grade
    # rules, 1 for why there is no conversion prediction (active model, closed leads), 2 duplicate lookups,
    # 3 timeline sources, 2 for nurture (enrollments, sequences), 1 for the campaigns panel, attachments, unread
    # notifications (the header's bell), the first-touch clock, session save (3 statements)
    with django_assert_max_num_queries(23):
        assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 200


def test_create_and_edit_show_field_level_messages(client, rep):
    LeadFactory(owner=rep, email="taken@acme.example")
    client.force_login(rep)
    response = client.post(
        reverse("leads:create"), {"first_name": "Sam", "last_name": "", "email": "nope", "source": "web"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors.keys() >= {"last_name", "email"}
    response = client.post(
        reverse("leads:create"), {"last_name": "Doe", "email": "TAKEN@acme.example", "source": "web"}
    )
    assert "An open lead with this email already exists." in response.context["form"].errors["email"]
    response = client.post(reverse("leads:create"), {"last_name": "Doe", "email": "doe@acme.example", "source": "web"})
    lead = Lead.objects.get(email="doe@acme.example")
    assert response["Location"] == reverse("leads:detail", args=[lead.pk])
    assert lead.owner == rep
    client.post(reverse("leads:edit", args=[lead.pk]), {"last_name": "Doe", "company": "Acme", "source": "web"})
    lead.refresh_from_db()
    assert lead.company == "Acme"


def test_a_converted_lead_is_read_only_with_links_to_what_it_became(client, rep):
    account = AccountFactory(owner=rep, name="Acme")
    contact = ContactFactory(owner=rep, account=account)
    deal = OpportunityFactory(owner=rep, account=account)
    lead = LeadFactory(
        owner=rep,
        status="converted",
        converted_at=timezone.now(),
        converted_account=account,
        converted_contact=contact,
        converted_opportunity=deal,
    )
    client.force_login(rep)
    content = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert f'href="/accounts/{account.pk}/"' in content
    assert f'href="/contacts/{contact.pk}/"' in content
    assert f'href="/opportunities/{deal.pk}/"' in content
    assert "/convert/" not in content and 'name="subject"' not in content
    assert client.get(reverse("leads:edit", args=[lead.pk])).status_code == 302
    client.post(reverse("leads:status", args=[lead.pk]), {"status": "working"})
    client.post(reverse("leads:log_activity", args=[lead.pk]), {"kind": "note", "subject": "x"})
    lead.refresh_from_db()
    assert lead.status == "converted" and not Activity.objects.filter(lead=lead).exists()


def test_lead_markup_is_text_on_the_list_and_the_page(client, rep):
    payload = "<img src=x onerror=alert(1)>"
    lead = LeadFactory(owner=rep, last_name=payload, company=payload)
    client.force_login(rep)
    for url in [reverse("leads:list"), reverse("leads:detail", args=[lead.pk])]:
        content = client.get(url).content.decode()
        assert "<img src=x" not in content
        assert "&lt;img src=x onerror=alert(1)&gt;" in content
