"""The one visibility rule, on every model: reps their own, managers their teams, admins all."""

import pytest

from accounts.models import Account
from activities.models import Activity, Event
from contacts.models import AccountContactRelation, Contact
from leads.models import Lead, LeadStatusChange
from opportunities.models import Opportunity, OpportunityContactRole, OpportunityStageChange, Stage
from tests.factories import (
    AccountFactory,
    ActivityFactory,
    ContactFactory,
    LeadFactory,
    OpportunityFactory,
    TeamFactory,
    UserFactory,
)
from users.models import Team, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(rep, other_rep, manager, admin):
    """rep (East team, manager1), other_rep (West team, another manager), one record each."""
    west = TeamFactory(name="West", manager=UserFactory(username="manager2", role="manager"))
    other_rep.team = west
    other_rep.save(update_fields=["team"])
    records = {}
    for owner in (rep, other_rep, None):
        account = AccountFactory(owner=owner)
        contact = ContactFactory(owner=owner, account=account)
        opportunity = OpportunityFactory(owner=owner, account=account)
        lead = LeadFactory(owner=owner)
        records[owner] = {
            Lead: lead,
            Account: account,
            Contact: contact,
            Opportunity: opportunity,
            Activity: ActivityFactory(lead=lead, owner=owner),
            Event: Event.objects.create(kind="test", summary="x", opportunity=opportunity),
            LeadStatusChange: LeadStatusChange.objects.create(lead=lead, to_status="new", changed_at=lead.created_at),
            AccountContactRelation: AccountContactRelation.objects.create(account=account, contact=contact),
            OpportunityContactRole: OpportunityContactRole.objects.create(opportunity=opportunity, contact=contact),
            OpportunityStageChange: OpportunityStageChange.objects.create(
                opportunity=opportunity, to_stage=opportunity.stage, changed_at=opportunity.created_at
            ),
        }
    return records


MODELS = [
    Lead,
    Account,
    Contact,
    Opportunity,
    Activity,
    Event,
    LeadStatusChange,
    AccountContactRelation,
    OpportunityContactRole,
    OpportunityStageChange,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_rep_sees_only_their_own_records(world, rep, other_rep, model):
    visible = set(model.objects.visible_to(rep))
    assert visible == {world[rep][model]}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_a_manager_sees_their_team_their_own_and_unassigned_but_not_another_team(world, manager, rep, other_rep, model):
    visible = set(model.objects.visible_to(manager))
    assert visible == {world[rep][model], world[None][model]}


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_an_admin_sees_everything(world, admin, model):
    assert model.objects.visible_to(admin).count() == model.objects.count() == 3


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_an_anonymous_or_inactive_user_sees_nothing(world, rep, model):
    from django.contrib.auth.models import AnonymousUser

    assert not model.objects.visible_to(AnonymousUser()).exists()
    rep.is_active = False
    assert not model.objects.visible_to(rep).exists()


def test_a_manager_sees_the_records_they_own_themselves(manager, other_rep):
    own = LeadFactory(owner=manager)
    LeadFactory(owner=other_rep)
    assert own in Lead.objects.visible_to(manager)


def test_users_and_teams_are_scoped(world, rep, other_rep, manager, admin):
    assert set(User.objects.visible_to(rep)) == {rep, manager}
    assert other_rep not in User.objects.visible_to(manager)
    assert rep in User.objects.visible_to(manager)
    assert set(Team.objects.visible_to(rep)) == {rep.team}
    assert set(Team.objects.visible_to(admin)) == set(Team.objects.all())


def test_stages_are_visible_to_every_signed_in_user(rep):
    assert Stage.objects.visible_to(rep).count() == 7
