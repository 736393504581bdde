"""The demo data seeder: who can log in, what the funnel looks like, and that it is repeatable."""

from __future__ import annotations

import itertools
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.test import RequestFactory

from accounts.models import Account
from activities.models import Activity
from contacts.models import AccountContactRelation, Contact
from demo.seeding import DEMO_PASSWORD
from leads.models import Lead, LeadSource, LeadStatusChange
from opportunities.models import Opportunity, OpportunityStageChange, Stage
from scoring.services import explain_score
from users.models import Team, User

pytestmark = pytest.mark.django_db

SMALL = 200


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", "--leads", str(SMALL), *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "teams": Team.objects.count(),
        "accounts": Account.objects.count(),
        "contacts": Contact.objects.count(),
        "opportunities": Opportunity.objects.count(),
        "leads": Lead.objects.count(),
        "status_changes": LeadStatusChange.objects.count(),
        "activities": Activity.objects.count(),
    }


def test_seeding_creates_the_demo_users_in_their_teams_with_the_demo_password():
    output = seed()

    admin = User.objects.get(username="admin")
    assert (admin.role, admin.is_staff, admin.is_superuser) == ("admin", True, True)
    east, west = Team.objects.get(name="East"), Team.objects.get(name="West")
    assert east.manager.username == "manager" and east.manager.role == "manager"
    assert west.manager.username == "manager2" and west.manager.role == "manager"
    east_reps = sorted(east.members.filter(role="rep").values_list("username", flat=True))
    west_reps = sorted(west.members.filter(role="rep").values_list("username", flat=True))
    assert (east_reps, west_reps) == (["rep1", "rep2", "rep3", "rep4"], ["rep5", "rep6", "rep7", "rep8"])
    for username in ["admin", "manager", "manager2", "rep1", "rep8"]:
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password=DEMO_PASSWORD) is not None
        assert username in output
    assert DEMO_PASSWORD in output


def test_leads_cover_every_status_and_source_and_are_mostly_assigned_to_reps():
    seed()

    assert Lead.objects.count() == SMALL
    assert set(Lead.objects.values_list("status", flat=True)) == set(Lead.Status.values)
    assert set(Lead.objects.values_list("source", flat=True)) == set(LeadSource.values)
    owners = set(User.objects.filter(pk__in=Lead.objects.values("owner")).values_list("role", flat=True))
    assert owners == {"rep"}
    assert 0 < Lead.objects.filter(owner__isnull=True).count() < SMALL * 0.25


def test_converted_leads_point_at_real_accounts_contacts_and_opportunities():
    seed()

    converted = Lead.objects.filter(status=Lead.Status.CONVERTED)
    assert converted.exists()
    assert not converted.filter(Q(converted_at__isnull=True) | Q(converted_account__isnull=True)).exists()
    assert not converted.filter(converted_contact__isnull=True).exists()
    assert not converted.exclude(converted_contact__account=F("converted_account")).exists()
    with_deal = converted.filter(converted_opportunity__isnull=False)
    assert with_deal.count() >= converted.count() // 2
    assert not with_deal.exclude(converted_opportunity__account=F("converted_account")).exists()
    assert not Lead.objects.exclude(status=Lead.Status.CONVERTED).filter(converted_at__isnull=False).exists()


def test_lead_milestones_are_consistent_with_score_and_status():
    seed()

    threshold = settings.FUNNEL_MQL_THRESHOLD
    assert not Lead.objects.filter(scored_at__isnull=True).exists()
    # A lead that fell back below the threshold when the rules scored it keeps its MQL milestone.
    assert not Lead.objects.filter(mql_at__isnull=True, score__gte=threshold).exists()
    assert not Lead.objects.filter(mql_at__lte=F("created_at")).exists()
    sql_statuses = [Lead.Status.QUALIFIED, Lead.Status.CONVERTED]
    assert not Lead.objects.filter(status__in=sql_statuses, qualified_at__isnull=True).exists()
    assert not Lead.objects.exclude(status__in=sql_statuses).filter(qualified_at__isnull=False).exists()
    for lead in Lead.objects.all():
        assert lead.rating == Lead.rating_for(lead.score)


def test_demo_scores_are_the_ones_the_scoring_rules_explain():
    seed()

    for lead in Lead.objects.exclude(status=Lead.Status.CONVERTED)[:60]:
        assert explain_score(lead)["score"] == lead.score


def test_every_lead_has_a_status_history_from_new_to_its_status():
    seed()

    assert not Lead.objects.annotate(n=Count("status_changes")).filter(n=0).exists()
    assert not LeadStatusChange.objects.filter(changed_at__lt=F("lead__created_at")).exists()
    for lead in Lead.objects.prefetch_related("status_changes"):
        steps = [(change.from_status, change.to_status) for change in lead.status_changes.all()]
        assert steps[0] == ("", "new")
        assert steps[-1][1] == lead.status
        assert all(previous[1] == step[0] for previous, step in itertools.pairwise(steps))


def test_some_leads_have_activities_and_their_last_activity_time():
    seed()

    with_activities = Lead.objects.filter(pk__in=Activity.objects.values("lead"))
    assert SMALL * 0.15 < with_activities.count() < SMALL * 0.45
    assert not with_activities.filter(last_activity_at__isnull=True).exists()
    assert not Lead.objects.exclude(pk__in=with_activities).filter(last_activity_at__isnull=False).exists()
    tasks = Activity.objects.filter(kind=Activity.Kind.TASK)
    assert tasks.exists() and not tasks.filter(due_at__isnull=True).exists()


def test_opportunities_cover_every_stage_and_walk_from_prospecting():
    seed()

    assert set(Opportunity.objects.values_list("stage", flat=True)) == set(Stage.objects.values_list("pk", flat=True))
    prospecting = Stage.objects.get(name="Prospecting")
    for opportunity in Opportunity.objects.select_related("stage").prefetch_related("stage_changes"):
        changes = list(opportunity.stage_changes.all())
        assert (changes[0].from_stage_id, changes[0].to_stage_id) == (None, prospecting.pk)
        assert changes[-1].to_stage_id == opportunity.stage_id
        assert (opportunity.closed_at is not None) == opportunity.stage.is_closed
        lost = opportunity.stage.is_closed and not opportunity.stage.is_won
        assert bool(opportunity.lost_reason) == lost
        assert opportunity.amount is not None and opportunity.close_date is not None
    assert OpportunityStageChange.objects.count() > Opportunity.objects.count()


def test_every_contact_has_a_primary_relation_to_its_account():
    seed()

    assert Account.objects.count() >= 10
    primary = AccountContactRelation.objects.filter(is_primary=True, account=F("contact__account"))
    assert primary.count() == Contact.objects.count()


def test_seeding_again_changes_nothing():
    seed()
    before = snapshot()

    output = seed()

    assert "already present" in output
    assert snapshot() == before


def test_reset_recreates_the_same_data_for_the_same_seed():
    seed()
    first = snapshot()
    rows = list(Lead.objects.order_by("id").values_list("email", "status", "score", "owner__username"))
    User.objects.filter(username="rep1").update(role=User.Role.MANAGER)

    seed("--reset")

    assert snapshot() == first
    assert list(Lead.objects.order_by("id").values_list("email", "status", "score", "owner__username")) == rows
    assert User.objects.get(username="rep1").role == User.Role.REP


def test_a_different_seed_gives_different_data():
    seed()
    rows = list(Lead.objects.order_by("id").values_list("email", "status", "score"))

    seed("--reset", "--seed", "7")

    assert list(Lead.objects.order_by("id").values_list("email", "status", "score")) != rows


def test_ids_continue_after_seeding_so_new_records_can_be_created():
    seed()

    lead = Lead.objects.create(last_name="After", email="after@seed.example")
    account = Account.objects.create(name="After Seed")

    assert lead.pk > Lead.objects.exclude(pk=lead.pk).order_by("-pk").values_list("pk", flat=True)[0]
    assert account.pk > 1
