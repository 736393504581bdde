"""Experience and skills: grade-A leads to senior reps with fall-back; skills; weighted round-robin."""

from collections import Counter

import pytest

from assignment import services
from assignment.models import AssignmentRule
from leads.models import Lead
from tests.factories import AssignmentRuleFactory, LeadFactory, UserFactory


@pytest.fixture
def reps(db):
    AssignmentRule.objects.update(active=False)
    return {
        "senior": UserFactory(username="senior", role="rep", level="senior", skills=["de"], function="sdr"),
        "mid": UserFactory(username="mid", role="rep", level="mid", skills=["fr"], function="sdr"),
        "junior": UserFactory(username="junior", role="rep", level="junior", skills=[], function="sdr"),
    }


def owner_of(lead):
    return Lead.objects.get(pk=lead.pk).owner


def test_grade_a_leads_go_only_to_senior_reps(reps):
    AssignmentRuleFactory(name="A to seniors", order=1, grades=["A"], rep_levels=["senior"], fall_through=True)
    AssignmentRuleFactory(name="Everyone else", order=2, rep_levels=["mid", "junior"])
    graded = [LeadFactory(grade="A") for _ in range(3)]
    others = [LeadFactory(grade="C") for _ in range(4)]

    for lead in graded + others:
        services.assign_lead(lead)

    assert {owner_of(lead) for lead in graded} == {reps["senior"]}
    assert {owner_of(lead) for lead in others} == {reps["mid"], reps["junior"]}


@pytest.mark.parametrize("path", ["single", "bulk"])
def test_a_grade_a_lead_falls_back_to_the_next_rule_when_no_senior_has_capacity(reps, path):
    reps["senior"].lead_capacity = 1
    reps["senior"].save(update_fields=["lead_capacity"])
    AssignmentRuleFactory(name="A to seniors", order=1, grades=["A"], rep_levels=["senior"], fall_through=True)
    AssignmentRuleFactory(name="Then mid", order=2, rep_levels=["mid"])
    first, second = LeadFactory(grade="A"), LeadFactory(grade="A")

    if path == "single":
        services.assign_lead(first)
        services.assign_lead(second)
    else:
        services.assign_leads_bulk([first.pk, second.pk])

    assert owner_of(first) == reps["senior"]
    assert owner_of(second) == reps["mid"]


def test_without_fall_through_a_full_rule_leaves_the_lead_waiting(reps):
    reps["senior"].accepts_leads = False
    reps["senior"].save(update_fields=["accepts_leads"])
    AssignmentRuleFactory(name="A to seniors", order=1, grades=["A"], rep_levels=["senior"])
    AssignmentRuleFactory(name="Then mid", order=2, rep_levels=["mid"])
    lead = LeadFactory(grade="A")

    services.assign_lead(lead)

    assert owner_of(lead) is None


def test_skills_pick_the_reps_who_have_one_of_them(reps):
    AssignmentRuleFactory(name="German", order=1, countries=["Germany"], rep_skills=["DE"])
    leads = [LeadFactory(country="Germany") for _ in range(3)]

    services.assign_leads_bulk([lead.pk for lead in leads])

    assert {owner_of(lead) for lead in leads} == {reps["senior"]}


@pytest.mark.parametrize("path", ["single", "bulk"])
def test_weighted_round_robin_gives_each_rep_their_shares(reps, path):
    reps["senior"].routing_shares = 3
    reps["senior"].save(update_fields=["routing_shares"])
    AssignmentRuleFactory(name="Weighted", order=1, rep_levels=["senior", "mid"])
    leads = [LeadFactory() for _ in range(8)]

    if path == "single":
        for lead in leads:
            services.assign_lead(lead)
    else:
        services.assign_leads_bulk([lead.pk for lead in leads])

    counts = Counter(owner_of(lead).username for lead in leads)
    assert counts == {"senior": 6, "mid": 2}
