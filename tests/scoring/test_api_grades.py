"""The scoring/grade-rules/ resource, GET /leads/{id}/grade/ and the grade rules' admin pages."""

import pytest

from leads.models import Lead
from scoring.models import GradeRule
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

RULE = {"name": "Enterprise", "field": "employees", "operator": "gte", "value": "500", "points": 80, "active": True}


@pytest.fixture(autouse=True)
def blank_slate(db):
    GradeRule.objects.all().delete()


def test_managers_and_admins_manage_grade_rules_and_every_change_regrades(
    api, manager, admin, django_capture_on_commit_callbacks
):
    lead = LeadFactory(employees=1000)
    with django_capture_on_commit_callbacks(execute=True):
        created = api(manager).post("/api/v1/scoring/grade-rules/", RULE, format="json")
    assert created.status_code == 201, created.json()
    assert Lead.objects.get(pk=lead.pk).grade == "A"
    rule_id = created.json()["id"]

    listed = api(admin).get("/api/v1/scoring/grade-rules/")
    assert [rule["name"] for rule in listed.json()["results"]] == ["Enterprise"]
    with django_capture_on_commit_callbacks(execute=True):
        changed = api(admin).patch(f"/api/v1/scoring/grade-rules/{rule_id}/", {"points": 30}, format="json")
    assert changed.status_code == 200 and changed.json()["points"] == 30
    assert Lead.objects.get(pk=lead.pk).grade == "C"
    assert api(manager).delete(f"/api/v1/scoring/grade-rules/{rule_id}/").status_code == 204
    assert not GradeRule.objects.exists()


def test_reps_may_not_read_or_change_grade_rules(api, rep):
    rule = GradeRule.objects.create(**RULE)
    assert api(rep).get("/api/v1/scoring/grade-rules/").status_code == 403
    assert api(rep).post("/api/v1/scoring/grade-rules/", RULE, format="json").status_code == 403
    assert api(rep).delete(f"/api/v1/scoring/grade-rules/{rule.pk}/").status_code == 403
    assert api(None).get("/api/v1/scoring/grade-rules/").status_code == 401


def test_an_invalid_grade_rule_is_a_400_naming_the_field(api, admin):
    response = api(admin).post("/api/v1/scoring/grade-rules/", {**RULE, "value": "lots"}, format="json")
    assert response.status_code == 400 and "value" in response.json()
    assert not GradeRule.objects.exists()


def test_the_grade_action_explains_a_visible_lead_and_is_404_for_another_rep(api, rep, other_rep):
    GradeRule.objects.create(**RULE)
    GradeRule.objects.create(name="Senior", field="title", operator="contains", value="VP", points=10)
    lead = LeadFactory(owner=rep, employees=800, title="Analyst")

    response = api(rep).get(f"/api/v1/leads/{lead.pk}/grade/")

    assert response.status_code == 200
    assert response.json() == {
        "grade": "A",
        "points": 80,
        "thresholds": {"A": 75, "B": 50, "C": 25},
        "breakdown": [{"rule": "Enterprise", "points": 80}],
    }
    assert api(other_rep).get(f"/api/v1/leads/{lead.pk}/grade/").status_code == 404


def test_the_admin_adds_and_deletes_grade_rules_through_the_services(
    client, admin, rep, django_capture_on_commit_callbacks
):
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    lead = LeadFactory(employees=1000)
    client.force_login(admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/admin/scoring/graderule/add/", {**RULE, "active": "on"})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Lead.objects.get(pk=lead.pk).grade == "A"

    rule = GradeRule.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/scoring/graderule/{rule.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not GradeRule.objects.exists()
    assert Lead.objects.get(pk=lead.pk).grade == ""


def test_a_bad_grade_rule_in_the_admin_is_a_form_error(client, admin):
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin)

    response = client.post("/admin/scoring/graderule/add/", {**RULE, "operator": "contains", "active": "on"})

    assert response.status_code == 200
    assert "employees can be compared with" in response.content.decode()
    assert not GradeRule.objects.exists()
