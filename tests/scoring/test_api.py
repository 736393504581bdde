"""The scoring-rules/ resource and GET /leads/{id}/score/."""

import pytest

from scoring.models import ScoringRule
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

RULE = {"name": "Webinar", "field": "source", "operator": "equals", "value": "webinar", "points": 10, "active": True}


@pytest.fixture(autouse=True)
def blank_slate(db):
    ScoringRule.objects.all().delete()


def test_managers_and_admins_manage_scoring_rules(api, manager, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        created = api(manager).post("/api/v1/scoring-rules/", RULE, format="json")
    assert created.status_code == 201, created.json()
    rule_id = created.json()["id"]

    listed = api(admin).get("/api/v1/scoring-rules/")
    assert [rule["name"] for rule in listed.json()["results"]] == ["Webinar"]

    changed = api(admin).patch(f"/api/v1/scoring-rules/{rule_id}/", {"points": -5}, format="json")
    assert changed.status_code == 200 and changed.json()["points"] == -5
    assert api(manager).delete(f"/api/v1/scoring-rules/{rule_id}/").status_code == 204
    assert not ScoringRule.objects.exists()


def test_reps_may_not_read_or_change_scoring_rules(api, rep, other_rep):
    rule = ScoringRule.objects.create(**RULE)
    for user in (rep, other_rep):
        assert api(user).get("/api/v1/scoring-rules/").status_code == 403
        assert api(user).post("/api/v1/scoring-rules/", RULE, format="json").status_code == 403
        assert api(user).delete(f"/api/v1/scoring-rules/{rule.pk}/").status_code == 403
    assert api(None).get("/api/v1/scoring-rules/").status_code == 401


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"field": "owner"}, "field"),
        ({"operator": "sounds_like"}, "operator"),
        ({"field": "title", "operator": "gte", "value": "5"}, "operator"),
        ({"field": "employees", "operator": "gte", "value": "lots"}, "value"),
        ({"field": "source", "operator": "in", "value": "webinar, carrier pigeon"}, "value"),
        ({"field": "title", "operator": "contains", "value": " , "}, "value"),
        ({"points": 1000}, "points"),
    ],
)
def test_an_invalid_rule_is_a_400_naming_the_field(api, admin, changes, field):
    response = api(admin).post("/api/v1/scoring-rules/", {**RULE, **changes}, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ScoringRule.objects.exists()


def test_the_owner_sees_the_score_breakdown_and_another_rep_gets_404(api, rep, other_rep):
    ScoringRule.objects.create(**{**RULE, "name": "Webinar attendee", "points": 55})
    lead = LeadFactory(owner=rep, source="webinar")

    response = api(rep).get(f"/api/v1/leads/{lead.pk}/score/")
    assert response.status_code == 200
    assert response.json() == {
        "score": 55,
        "rating": "warm",
        "mql": False,
        "breakdown": [{"rule": "Webinar attendee", "points": 55}, {"rule": "Engagement", "points": 0}],
    }
    assert api(other_rep).get(f"/api/v1/leads/{lead.pk}/score/").status_code == 404


def test_the_schema_describes_the_scoring_endpoints(api, admin):
    schema = api(admin).get("/api/v1/schema/?format=json").json()
    assert "/api/v1/scoring-rules/" in schema["paths"]
    score = schema["paths"]["/api/v1/leads/{id}/score/"]["get"]
    assert {"200", "401", "404"} <= set(score["responses"])
