"""The `assign` lead action and the `assignment-rules/` endpoints."""

from __future__ import annotations

from activities.models import Event
from assignment.models import AssignmentRule
from tests.factories import AssignmentRuleFactory, LeadFactory, UserFactory


def assign_url(lead) -> str:
    return f"/api/v1/leads/{lead.pk}/assign/"


def test_a_manager_reassigns_a_lead_by_hand_to_a_team_member(api, manager, rep):
    teammate = UserFactory(username="mate", role="rep", team=rep.team)
    lead = LeadFactory(owner=rep)

    response = api(manager).post(assign_url(lead), {"owner": teammate.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["owner"] == teammate.pk
    assert Event.objects.get(lead=lead, kind="assigned").data["previous_owner"] == rep.pk


def test_a_rep_may_not_choose_the_owner(api, rep, team):
    teammate = UserFactory(username="mate", role="rep", team=team)
    lead = LeadFactory(owner=rep)

    response = api(rep).post(assign_url(lead), {"owner": teammate.pk}, format="json")

    assert response.status_code == 403
    lead.refresh_from_db()
    assert lead.owner == rep


def test_another_reps_lead_answers_404(api, rep, other_rep):
    lead = LeadFactory(owner=rep)

    response = api(other_rep).post(assign_url(lead), {}, format="json")

    assert response.status_code == 404


def test_an_owner_the_manager_cannot_see_is_rejected_naming_owner(api, manager, rep, other_rep):
    lead = LeadFactory(owner=rep)

    response = api(manager).post(assign_url(lead), {"owner": other_rep.pk}, format="json")

    assert response.status_code == 400
    assert "owner" in response.json()
    lead.refresh_from_db()
    assert lead.owner == rep


def test_an_empty_body_runs_the_rules_on_an_unassigned_lead(api, manager, rep):
    AssignmentRuleFactory(order=1, target_user=rep)
    lead = LeadFactory()

    response = api(manager).post(assign_url(lead), {}, format="json")

    assert response.status_code == 200
    assert response.json()["owner"] == rep.pk


def test_assigning_a_converted_lead_by_hand_answers_409(api, manager, rep):
    from django.utils import timezone

    from tests.factories import AccountFactory

    lead = LeadFactory(owner=rep)
    lead.status, lead.converted_at, lead.converted_account = "converted", timezone.now(), AccountFactory(owner=rep)
    lead.save()

    response = api(manager).post(assign_url(lead), {"owner": manager.pk}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "lead_converted"


def test_managers_create_and_list_assignment_rules(api, manager, team, django_assert_max_num_queries):
    body = {
        "name": "German enterprise",
        "order": 5,
        "countries": ["Germany"],
        "employees_min": 1000,
        "sources": ["webinar"],
        "ratings": ["hot", "warm"],
        "target_team": team.pk,
        "method": "least_loaded",
    }

    created = api(manager).post("/api/v1/assignment-rules/", body, format="json")
    with django_assert_max_num_queries(6):
        listed = api(manager).get("/api/v1/assignment-rules/")

    assert created.status_code == 201, created.json()
    assert created.json()["target_team"] == team.pk
    names = [rule["name"] for rule in listed.json()["results"]]
    assert names[0] == "German enterprise"
    assert len(names) == AssignmentRule.objects.count()


def test_reps_may_not_see_or_change_assignment_rules(api, rep, other_rep):
    assert api(rep).get("/api/v1/assignment-rules/").status_code == 403
    assert api(other_rep).post("/api/v1/assignment-rules/", {"name": "Mine"}, format="json").status_code == 403


def test_a_rule_targeting_both_a_user_and_a_team_is_rejected(api, manager, team, rep):
    body = {"name": "Both", "target_user": rep.pk, "target_team": team.pk}

    response = api(manager).post("/api/v1/assignment-rules/", body, format="json")

    assert response.status_code == 400
    assert "target_team" in response.json()


def test_an_unknown_source_or_an_inverted_size_range_is_rejected_naming_the_field(api, admin):
    unknown = api(admin).post("/api/v1/assignment-rules/", {"name": "X", "sources": ["fax"]}, format="json")
    inverted = api(admin).post(
        "/api/v1/assignment-rules/", {"name": "Y", "employees_min": 500, "employees_max": 10}, format="json"
    )

    assert unknown.status_code == 400 and "sources" in unknown.json()
    assert inverted.status_code == 400 and "employees_max" in inverted.json()
    assert not AssignmentRule.objects.filter(name__in=["X", "Y"]).exists()


def test_editing_a_rule_keeps_its_round_robin_cursor(api, admin, rep):
    rule = AssignmentRuleFactory(order=3, last_assigned_user=rep)

    response = api(admin).patch(f"/api/v1/assignment-rules/{rule.pk}/", {"order": 7}, format="json")

    assert response.status_code == 200
    rule.refresh_from_db()
    assert (rule.order, rule.last_assigned_user) == (7, rep)
