"""Whose rules and reps an import routes to (the importer's scope), and the result page's link to its leads."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities.models import Event
from assignment.models import AssignmentRule
from assignment.tasks import assign_unassigned_leads_task
from imports import services as importing
from imports.models import ImportedLead, ImportJob
from imports.services import create_import, run_import
from leads.models import Lead
from leads.services.capture import create_lead
from tests.factories import AssignmentRuleFactory, LeadFactory, TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def org(db):
    """Two teams with two reps each; the West team takes French leads, the East team everything."""
    AssignmentRule.objects.update(active=False)  # the seeded catch-all
    east_boss = UserFactory(username="east_boss", role="manager")
    west_boss = UserFactory(username="west_boss", role="manager")
    east = TeamFactory(name="East", manager=east_boss)
    west = TeamFactory(name="West", manager=west_boss)
    return SimpleNamespace(
        east_boss=east_boss,
        west_boss=west_boss,
        east=east,
        west=west,
        east_reps=[UserFactory(username=f"east{n}", role="rep", team=east) for n in (1, 2)],
        west_reps=[UserFactory(username=f"west{n}", role="rep", team=west) for n in (1, 2)],
        west_rule=AssignmentRuleFactory(order=1, name="West: France", countries=["France"], target_team=west),
        east_rule=AssignmentRuleFactory(order=2, name="East: the rest", target_team=east),
    )


def make_csv(rows: list[list[str]]) -> ContentFile:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)
    return ContentFile(text.getvalue().encode(), name="leads.csv")


def run(job: ImportJob) -> ImportJob:
    run_import(job.pk)
    job.refresh_from_db()
    return job


FRENCH_AND_ITALIAN = [["Last Name", "Email", "Country"]] + [
    [f"{country[:2]}{n}", f"{country[:2].lower()}{n}@x.example", country]
    for country in ("France", "Italy")
    for n in range(2)
]


def owners() -> dict[str, str | None]:
    return dict(Lead.objects.values_list("last_name", "owner__username"))


# --- assignment in the importer's scope ------------------------------------------------------------------------


def test_a_managers_import_goes_only_to_the_reps_of_their_team(org):
    # when the East manager imports French and Italian leads, and a West rule matches the French ones
    job = run(create_import(by=org.east_boss, file=make_csv(FRENCH_AND_ITALIAN), enqueue=False))

    # then the French leads fall through the West rule to the East rule: every lead goes to an East rep, in turn
    assert job.created == 4
    assert sorted(owners().values()) == ["east1", "east1", "east2", "east2"]
    org.west_rule.refresh_from_db()
    assert org.west_rule.last_assigned_user is None
    # and the manager sees every lead of their import
    assert Lead.objects.visible_to(org.east_boss).count() == 4
    assert {event.data["rule"] for event in Event.objects.filter(kind="assigned")} == {org.east_rule.pk}


def test_an_admins_import_uses_every_rule(org, admin):
    run(create_import(by=admin, file=make_csv(FRENCH_AND_ITALIAN), enqueue=False))

    routed = owners()
    assert sorted([routed["Fr0"], routed["Fr1"]]) == ["west1", "west2"]
    assert sorted([routed["It0"], routed["It1"]]) == ["east1", "east2"]


def test_a_rule_without_a_target_in_a_managers_import_spreads_over_their_teams_reps_only(org):
    AssignmentRule.objects.update(active=False)
    AssignmentRuleFactory(order=1, name="Everyone")

    run(create_import(by=org.west_boss, file=make_csv(FRENCH_AND_ITALIAN), enqueue=False))

    assert sorted(owners().values()) == ["west1", "west1", "west2", "west2"]


def test_leads_nobody_in_the_managers_teams_can_take_stay_with_the_manager(org, django_capture_on_commit_callbacks):
    # given West reps who take no leads, and an East rule that would take them
    for rep in org.west_reps:
        rep.accepts_leads = False
        rep.save(update_fields=["accepts_leads"])

    with django_capture_on_commit_callbacks(execute=True):
        job = run(create_import(by=org.west_boss, file=make_csv(FRENCH_AND_ITALIAN), enqueue=False))

    # then every lead stays with the West manager, saying why, and none is left for the sweeper's global rules
    assert job.created == 4
    assert set(owners().values()) == {"west_boss"}
    kept = {event.lead.last_name: event for event in Event.objects.filter(kind="assigned").select_related("lead")}
    assert kept["Fr0"].summary.startswith("Kept by")
    assert (kept["Fr0"].data["reason"], kept["Fr0"].data["rule"]) == ("nobody_available", org.west_rule.pk)
    assert (kept["It0"].data["reason"], kept["It0"].data["rule"]) == ("no_rule_matched", None)
    assert kept["It0"].data["kept_by"] == org.west_boss.pk
    assert not Event.objects.filter(kind="assignment_failed").exists()
    assert [message.to for message in mail.outbox] == [[org.west_boss.email]]  # one digest of the kept leads
    assign_unassigned_leads_task()
    assert set(owners().values()) == {"west_boss"}


def test_an_admins_import_leaves_leads_nobody_can_take_unassigned_and_tells_the_manager(
    org, admin, django_capture_on_commit_callbacks
):
    AssignmentRule.objects.update(active=False)

    with django_capture_on_commit_callbacks(execute=True):
        run(create_import(by=admin, file=make_csv(FRENCH_AND_ITALIAN), enqueue=False))

    assert set(owners().values()) == {None}
    assert Event.objects.filter(kind="assignment_failed").count() == 4
    assert sorted(message.to[0] for message in mail.outbox) == sorted([org.east_boss.email, org.west_boss.email])


def test_a_lead_created_by_hand_without_an_owner_is_still_routed_by_every_rule(org, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lead = create_lead(by=org.east_boss, last_name="Dupont", email="jd@x.example", country="France")

    lead.refresh_from_db()
    assert lead.owner in org.west_reps


@pytest.mark.postgres
def test_on_postgresql_a_managers_import_inserts_each_new_lead_with_its_scoped_owner_and_link(org, monkeypatch):
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)
    rows = [*FRENCH_AND_ITALIAN, ["Fr0", "fr0@x.example", "Spain"]]  # the last chunk updates a lead of the first

    with CaptureQueriesContext(connection) as queries:
        job = run(create_import(by=org.east_boss, file=make_csv(rows), enqueue=False))

    assert (job.created, job.updated) == (4, 1)
    assert sorted(owners().values()) == ["east1", "east1", "east2", "east2"]
    # owners go in with the COPY path's insert, never by a later UPDATE
    assert not [q["sql"] for q in queries.captured_queries if "SET owner_id" in q["sql"]]
    links = dict(ImportedLead.objects.filter(job=job).values_list("lead__last_name", "created"))
    assert links == {"Fr0": True, "Fr1": True, "It0": True, "It1": True}


# --- the result page and the lead list filtered by the import ---------------------------------------------------


@pytest.fixture
def imported(org, monkeypatch):
    """An East import that created three leads, updated one and left one identical lead alone; other leads around."""
    monkeypatch.setattr(importing, "CHUNK_ROWS", 2)  # the last chunk updates a lead the first one created
    rep = org.east_reps[0]
    known = LeadFactory(owner=rep, last_name="Known", email="known@x.example", city="Paris")
    same = LeadFactory(owner=rep, last_name="Same", email="same@x.example", city="Rome")
    LeadFactory(owner=rep, last_name="Untouched")
    earlier = run(create_import(by=org.east_boss, file=make_csv([["Last Name"], ["Earlier"]]), enqueue=False))
    rows = [
        ["Last Name", "Email", "City", "Lead Status"],
        ["New1", "new1@x.example", "", ""],
        ["New2", "new2@x.example", "", "Closed - Not Converted"],
        ["Known", "known@x.example", "Lyon", ""],
        ["Same", "same@x.example", "Rome", ""],
        ["New3", "", "", ""],
        ["New1", "new1@x.example", "Nice", ""],
    ]
    job = run(create_import(by=org.east_boss, file=make_csv(rows), enqueue=False))
    assert (job.created, job.updated) == (3, 2)  # Known, and New1 again in the last chunk
    return SimpleNamespace(job=job, earlier=earlier, known=known, same=same)


def _job_leads_url(client, user, job: ImportJob) -> str:
    client.force_login(user)
    return client.get(reverse("imports:progress", args=[job.pk])).context["leads_url"]


def test_the_result_page_links_to_the_jobs_leads_and_its_error_report(client, org, imported):
    client.force_login(org.east_boss)

    page = client.get(reverse("imports:progress", args=[imported.job.pk])).content.decode()

    assert f"import_job={imported.job.pk}" in page
    assert reverse("imports:errors", args=[imported.job.pk]) in page


def test_the_lead_list_filtered_by_an_import_shows_exactly_the_leads_it_created_and_updated(client, org, imported):
    url = _job_leads_url(client, org.east_boss, imported.job)

    response = client.get(url)

    names = sorted(lead.last_name for lead in response.context["leads"])
    assert names == ["Known", "New1", "New2", "New3"]  # New2 was imported unqualified: any status is listed
    assert f"import #{imported.job.pk}" in response.content.decode()
    links = dict(ImportedLead.objects.filter(job=imported.job).values_list("lead__last_name", "created"))
    assert links == {"New1": True, "New2": True, "New3": True, "Known": False}


def test_the_filter_survives_changing_the_other_filters(client, org, imported):
    client.force_login(org.east_boss)

    response = client.get(reverse("leads:list"), {"import_job": imported.job.pk, "owner": "any", "q": "New"})

    assert sorted(lead.last_name for lead in response.context["leads"]) == ["New1", "New3"]  # New2 is not open
    assert f'name="import_job" value="{imported.job.pk}"' in response.content.decode()


def test_a_second_manager_gets_nothing_of_the_first_managers_import(client, org, imported):
    url = _job_leads_url(client, org.east_boss, imported.job)
    client.force_login(org.west_boss)

    assert list(client.get(url).context["leads"]) == []
    assert client.get(reverse("imports:progress", args=[imported.job.pk])).status_code == 404


def test_a_rep_opening_the_link_sees_only_their_own_leads_of_the_import(client, org, imported):
    url = _job_leads_url(client, org.east_boss, imported.job)
    rep = org.east_reps[1]
    client.force_login(rep)

    leads = list(client.get(url).context["leads"])

    assert leads and {lead.owner_id for lead in leads} == {rep.pk}
    assert {lead.pk for lead in leads} < set(
        ImportedLead.objects.filter(job=imported.job).values_list("lead", flat=True)
    )


def test_a_bad_import_job_value_drops_only_that_filter(client, org, imported):
    client.force_login(org.east_boss)

    response = client.get(reverse("leads:list"), {"import_job": "nope", "owner": "any", "status": "all"})

    assert response.status_code == 200
    assert len(response.context["leads"]) == Lead.objects.count()


def test_the_lead_list_filtered_by_an_import_costs_a_fixed_number_of_queries(
    client, org, django_assert_max_num_queries
):
    rows = [["Last Name", "Email"]] + [[f"L{n}", f"l{n}@x.example"] for n in range(60)]
    job = run(create_import(by=org.east_boss, file=make_csv(rows), enqueue=False))
    url = _job_leads_url(client, org.east_boss, job)

    # session, user, the manager's team members, the owners a manager may pick, one page of leads, the list's
    # count, the teams a manager may share a saved view with, unread notifications (the header's bell), session save
    with django_assert_max_num_queries(11):
        response = client.get(url)

    assert len(response.context["leads"]) == 50
