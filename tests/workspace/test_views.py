"""The rep's workspace pages: what they show, who may see them, and what they cost in queries."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from activities.services import log_activity, record_event
from assignment.selectors import list_unassigned_leads
from contacts.models import Contact
from leads.models import Lead, LeadStatusChange
from nurture.models import Delivery
from nurture.services.enrollment import enroll_lead
from opportunities.models import Opportunity, OpportunityContactRole, Stage
from opportunities.services import create_opportunity
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
    with django_assert_max_num_queries(6):
        assert client.get(reverse("leads:list")).status_code == 200
    client.force_login(manager)
    # session, user, the manager's team members (read once), the owners a manager may pick, one page of leads,
    # session save (3 statements)
    with django_assert_max_num_queries(8):
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
    # session, user, lead, 4 for the score breakdown (rules, weights, rule matches, engagement),
    # 2 duplicate lookups, 3 timeline sources, 2 for nurture (enrollments, sequences), session save (3 statements)
    with django_assert_max_num_queries(17):
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


# --- accounts, contacts, opportunities ----------------------------------------------


@pytest.fixture
def deal_world(rep):
    account = AccountFactory(owner=rep, name="Globex")
    contacts = [ContactFactory(owner=rep, account=account) for _ in range(5)]
    deals = [OpportunityFactory(owner=rep, account=account, amount="1000.00") for _ in range(5)]
    for deal, contact in zip(deals, contacts, strict=True):
        OpportunityContactRole.objects.create(opportunity=deal, contact=contact, role="Buyer", is_primary=True)
        log_activity(by=rep, kind="note", subject="Deal note", opportunity=deal, account=account, contact=contact)
    return account, contacts, deals


def test_the_account_page_lists_contacts_deals_and_timeline(client, rep, deal_world, django_assert_max_num_queries):
    account, contacts, deals = deal_world
    client.force_login(rep)
    # session, user, account, contacts, deals, 2 timeline sources, session save (3 statements)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:detail", args=[account.pk]))
    content = response.content.decode()
    assert all(f'href="/contacts/{c.pk}/"' in content for c in contacts)
    assert all(f'href="/opportunities/{d.pk}/"' in content for d in deals)
    assert "Deal note" in content


def test_the_contact_and_opportunity_pages_cost_fixed_queries(client, rep, deal_world, django_assert_max_num_queries):
    _, contacts, deals = deal_world
    client.force_login(rep)
    with django_assert_max_num_queries(9):
        assert client.get(reverse("contacts:detail", args=[contacts[0].pk])).status_code == 200
    # session, user, deal, stages, roles, history, source lead, 3 timeline sources, session save (3 statements)
    with django_assert_max_num_queries(13):
        response = client.get(reverse("opportunities:detail", args=[deals[0].pk]))
    assert contacts[0].full_name in response.content.decode()


def test_lists_cost_fixed_queries(client, rep, deal_world, django_assert_max_num_queries):
    client.force_login(rep)
    # Each page: session, user, its own queries, session save (3 statements).
    pins = {
        "accounts:list": 6,
        "contacts:list": 6,
        "opportunities:list": 6,
        "opportunities:board": 10,
        "activities:tasks": 6,
    }
    for name, pin in pins.items():
        with django_assert_max_num_queries(pin):
            assert client.get(reverse(name)).status_code == 200, name


def test_another_reps_account_contact_and_deal_are_404(client, rep, other_rep, deal_world):
    account, contacts, deals = deal_world
    client.force_login(other_rep)
    for url in [
        reverse("accounts:detail", args=[account.pk]),
        reverse("contacts:detail", args=[contacts[0].pk]),
        reverse("contacts:edit", args=[contacts[0].pk]),
        reverse("opportunities:detail", args=[deals[0].pk]),
    ]:
        assert client.get(url).status_code == 404, url
    stage = Stage.objects.get(name="Qualification")
    assert client.post(reverse("opportunities:move", args=[deals[0].pk]), {"stage": stage.pk}).status_code == 404
    assert (
        client.post(
            reverse("contacts:log_activity", args=[contacts[0].pk]), {"kind": "note", "subject": "x"}
        ).status_code
        == 404
    )
    listing = client.get(reverse("opportunities:board")).content.decode()
    assert deals[0].name not in listing


def test_editing_a_contact_saves_through_the_service(client, rep, deal_world):
    _, contacts, _ = deal_world
    client.force_login(rep)
    contact = contacts[0]
    response = client.post(reverse("contacts:edit", args=[contact.pk]), {"last_name": "", "email": "bad"})
    assert set(response.context["form"].errors) >= {"last_name", "email"}
    client.post(reverse("contacts:edit", args=[contact.pk]), {"last_name": "Renamed", "email": "New@X.example"})
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.last_name, contact.email) == ("Renamed", "new@x.example")


def test_moving_a_deal_changes_stage_probability_and_history(client, rep):
    account = AccountFactory(owner=rep)
    deal = create_opportunity(by=rep, account=account, name="Big one", amount="5000.00")
    client.force_login(rep)
    stage = Stage.objects.get(name="Proposal")
    response = client.post(
        reverse("opportunities:move", args=[deal.pk]), {"stage": stage.pk, "next": "/opportunities/board/"}
    )
    assert response["Location"] == "/opportunities/board/"
    deal.refresh_from_db()
    assert (deal.stage, deal.probability) == (stage, 60)
    content = client.get(reverse("opportunities:detail", args=[deal.pk])).content.decode()
    assert "Prospecting → <strong>Proposal</strong>" in content


def test_closing_as_lost_needs_a_reason(client, rep):
    deal = create_opportunity(by=rep, account=AccountFactory(owner=rep), name="Long shot")
    lost = Stage.objects.get(name="Closed Lost")
    client.force_login(rep)
    response = client.post(reverse("opportunities:move", args=[deal.pk]), {"stage": lost.pk})
    assert response.status_code == 400
    assert "Say why the deal was lost." in response.content.decode()
    client.post(reverse("opportunities:move", args=[deal.pk]), {"stage": lost.pk, "lost_reason": "Went with a rival"})
    deal.refresh_from_db()
    assert deal.stage == lost and deal.lost_reason == "Went with a rival" and deal.closed_at is not None
    won = Stage.objects.get(name="Closed Won")
    deal2 = create_opportunity(by=rep, account=AccountFactory(owner=rep), name="Sure thing")
    client.post(reverse("opportunities:move", args=[deal2.pk]), {"stage": won.pk})
    deal2.refresh_from_db()
    assert deal2.stage == won


def test_the_board_totals_count_amount_and_weighted_amount_per_stage(client, rep, other_rep):
    account = AccountFactory(owner=rep)
    create_opportunity(by=rep, account=account, name="A", amount="1000.00")
    create_opportunity(by=rep, account=account, name="B", amount="3000.00")
    create_opportunity(by=rep, account=account, name="C", amount="2000.00", stage=Stage.objects.get(name="Proposal"))
    create_opportunity(by=other_rep, account=AccountFactory(owner=other_rep), name="D", amount="9999.00")
    client.force_login(rep)
    columns = {c.stage.name: c for c in client.get(reverse("opportunities:board")).context["columns"]}
    assert "Closed Won" not in columns
    assert (columns["Prospecting"].count, columns["Prospecting"].amount, columns["Prospecting"].weighted) == (
        2,
        4000,
        400,
    )
    assert (columns["Proposal"].count, columns["Proposal"].amount, columns["Proposal"].weighted) == (1, 2000, 1200)


def test_the_board_filters_by_owner_and_close_month(client, rep, manager):
    account = AccountFactory(owner=rep)
    today = timezone.localdate()
    create_opportunity(by=rep, account=account, name="ThisMonth", close_date=today)
    create_opportunity(by=rep, account=account, name="NextYear", close_date=today.replace(year=today.year + 1))
    create_opportunity(by=manager, account=AccountFactory(owner=manager), name="Bosses", close_date=today)
    client.force_login(manager)
    content = client.get(
        reverse("opportunities:board"), {"owner": rep.pk, "close_month": today.strftime("%Y-%m")}
    ).content.decode()
    assert "ThisMonth" in content and "NextYear" not in content and "Bosses" not in content
    assert client.get(reverse("opportunities:board"), {"close_month": "junk"}).status_code == 200


def test_editing_a_deal_saves_amount_and_close_date(client, rep):
    deal = create_opportunity(by=rep, account=AccountFactory(owner=rep), name="Edit me", amount="100.00")
    client.force_login(rep)
    response = client.post(
        reverse("opportunities:edit", args=[deal.pk]), {"name": "Edit me", "amount": "-5", "probability": "10"}
    )
    assert response.status_code == 400
    client.post(
        reverse("opportunities:edit", args=[deal.pk]),
        {"name": "Edit me", "amount": "2500", "probability": "30", "close_date": "2030-01-31"},
    )
    deal = Opportunity.objects.get(pk=deal.pk)
    assert (str(deal.amount), str(deal.close_date), deal.probability) == ("2500.00", "2030-01-31", 30)


# --- tasks -----------------------------------------------------------------------


def test_my_tasks_lists_due_and_overdue_and_completes_with_one_click(client, rep, other_rep):
    lead = LeadFactory(owner=rep)
    now = timezone.now()
    overdue = log_activity(by=rep, kind="task", subject="Overdue call", due_at=now - timedelta(days=2), lead=lead)
    log_activity(by=rep, kind="task", subject="Next week", due_at=now + timedelta(days=7), lead=lead)
    other = log_activity(by=other_rep, kind="task", subject="Not mine", due_at=now, lead=LeadFactory(owner=other_rep))
    client.force_login(rep)
    content = client.get(reverse("activities:tasks")).content.decode()
    assert "Overdue call" in content and "Next week" not in content and "Not mine" not in content
    client.post(reverse("activities:complete", args=[overdue.pk]))
    overdue.refresh_from_db()
    assert overdue.completed_at is not None
    assert client.post(reverse("activities:complete", args=[other.pk])).status_code == 404


# --- layout and auth ----------------------------------------------------------------


def test_navigation_shows_dashboard_to_managers_and_admin_to_admins(client, rep, manager, admin):
    client.force_login(rep)
    content = client.get(reverse("leads:list")).content.decode()
    assert "Pipeline" in content and 'href="/dashboard/"' not in content and 'href="/admin/"' not in content
    client.force_login(manager)
    content = client.get(reverse("leads:list")).content.decode()
    assert 'href="/dashboard/"' in content and 'href="/admin/"' not in content
    client.force_login(admin)
    assert 'href="/admin/"' in client.get(reverse("leads:list")).content.decode()


def test_a_rep_changes_their_password(client, rep):
    client.force_login(rep)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a-much-better-secret-42",
            "new_password2": "a-much-better-secret-42",
        },
    )
    assert "old_password" in response.context["form"].errors
    client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "a-much-better-secret-42",
            "new_password2": "a-much-better-secret-42",
        },
    )
    rep.refresh_from_db()
    assert rep.check_password("a-much-better-secret-42")


def test_every_workspace_page_needs_a_login(client):
    for name in [
        "leads:list",
        "accounts:list",
        "contacts:list",
        "opportunities:list",
        "opportunities:board",
        "activities:tasks",
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/login/"), name


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
