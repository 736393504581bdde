"""Bulk assignment on a manager's behalf (`scope=`): their teams' rules and reps, and they keep the rest."""

from __future__ import annotations

import pytest

from activities.models import Event
from assignment.models import AssignmentRule
from assignment.services import assign_leads_bulk
from leads.models import Lead
from tests.factories import AssignmentRuleFactory, LeadFactory, TeamFactory, UserFactory


@pytest.fixture
def teams(db):
    AssignmentRule.objects.update(active=False)
    east = TeamFactory(name="East", manager=UserFactory(username="east_boss", role="manager"))
    west = TeamFactory(name="West", manager=UserFactory(username="west_boss", role="manager"))
    UserFactory(username="east1", role="rep", team=east)
    UserFactory(username="west1", role="rep", team=west)
    AssignmentRuleFactory(order=1, name="West: France", countries=["France"], target_team=west)
    AssignmentRuleFactory(order=2, name="East: Italy", countries=["Italy"], target_team=east)
    return east, west


def _leads() -> list[int]:
    return [LeadFactory(owner=None, last_name=country, country=country).pk for country in ("France", "Italy", "Peru")]


def _owners() -> dict[str, str | None]:
    return dict(Lead.objects.values_list("last_name", "owner__username"))


def test_a_pass_in_a_managers_scope_routes_to_their_team_and_they_keep_the_rest(teams):
    east, _west = teams

    france, italy, peru = _leads()

    result = assign_leads_bulk([france, italy, peru], by=east.manager, scope=east.manager)

    # France matches only the West rule, out of the East manager's reach: it falls through, as Peru does
    assert _owners() == {"France": "east_boss", "Italy": "east1", "Peru": "east_boss"}
    assert {owner: sorted(ids) for owner, ids in result.assigned.items()} == {
        east.manager.pk: [france, peru],
        Lead.objects.get(pk=italy).owner_id: [italy],
    }
    assert not result.unassigned
    kept = Event.objects.get(kind="assigned", lead__country="Peru")
    assert kept.summary == f"Kept by {east.manager.display_name}: no assignment rule of their teams matches this lead"


def test_a_pass_without_scope_uses_every_rule_and_leaves_the_rest_unassigned(teams):
    result = assign_leads_bulk(_leads())

    assert _owners() == {"France": "west1", "Italy": "east1", "Peru": None}
    assert len(result.unassigned) == 1
    assert Event.objects.filter(kind="assignment_failed", lead__country="Peru").exists()


def test_an_admins_scope_is_every_rule(teams, admin):
    assign_leads_bulk(_leads(), by=admin, scope=admin)

    assert _owners() == {"France": "west1", "Italy": "east1", "Peru": None}
