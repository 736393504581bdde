"""The nurture API: sequences with nested steps (managers, admins), enrollments, and the lead's enroll action."""

import pytest

from nurture.models import Enrollment, Sequence
from nurture.services.enrollment import enroll_lead
from nurture.services.sending import send_due_steps
from tests.factories import LeadFactory, UserFactory

SEQUENCE = {
    "name": "Trial follow-up",
    "trigger": "score_band",
    "trigger_score_min": 20,
    "trigger_score_max": 49,
    "send_days": "01234",
    "send_start_hour": 8,
    "send_end_hour": 18,
    "time_zone": "Europe/Berlin",
    "daily_cap": 200,
    "steps": [
        {"order": 1, "delay_days": 0, "subject": "Hi {{ first_name }}", "body_text": "Welcome to {{ company }}"},
        {"order": 2, "delay_days": 3, "subject": "Tips", "body_text": "More", "body_html": "<p>More</p>"},
    ],
}


def test_a_manager_creates_a_sequence_with_its_steps(api, manager):
    response = api(manager).post("/api/v1/sequences/", SEQUENCE, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert [s["subject"] for s in body["steps"]] == ["Hi {{ first_name }}", "Tips"]
    assert Sequence.objects.get(name="Trial follow-up").steps.count() == 2


def test_reps_may_not_read_or_configure_sequences(api, rep, sequence):
    assert api(rep).get("/api/v1/sequences/").status_code == 403
    assert api(rep).post("/api/v1/sequences/", SEQUENCE, format="json").status_code == 403
    assert api(None).get("/api/v1/sequences/").status_code == 401


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"send_days": "0189"}, "send_days"),
        ({"trigger_score_min": 60}, "trigger_score_max"),
        ({"steps": [{"order": 1, "subject": "x", "body_text": "Hi {{ nick }}"}]}, "steps"),
        (
            {"steps": [{"order": 1, "subject": "a", "body_text": "b"}, {"order": 1, "subject": "c", "body_text": "d"}]},
            "steps",
        ),
    ],
)
def test_bad_sequence_input_answers_400_naming_the_field_and_saves_nothing(api, admin, change, field):
    response = api(admin).post("/api/v1/sequences/", {**SEQUENCE, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not Sequence.objects.filter(name="Trial follow-up").exists()


def test_steps_are_replaced_edited_and_reordered_by_id(api, admin, sequence):
    steps = list(sequence.steps.order_by("order"))
    payload = {
        "steps": [
            {"id": steps[1].pk, "order": 1, "subject": "Now first", "body_text": "x"},
            {"id": steps[0].pk, "order": 2, "subject": "Now second", "body_text": "y"},
        ]
    }

    response = api(admin).patch(f"/api/v1/sequences/{sequence.pk}/", payload, format="json")

    assert response.status_code == 200, response.json()
    assert [(s["id"], s["subject"]) for s in response.json()["steps"]] == [
        (steps[1].pk, "Now first"),
        (steps[0].pk, "Now second"),
    ]


def test_a_step_already_sent_cannot_be_removed(api, admin, rep, sequence):
    enroll_lead(LeadFactory(owner=rep), sequence=sequence, by=rep)
    send_due_steps()
    later = list(sequence.steps.order_by("order"))[1:]

    response = api(admin).patch(
        f"/api/v1/sequences/{sequence.pk}/",
        {"steps": [{"id": s.pk, "order": s.order, "subject": s.subject, "body_text": s.body_text} for s in later]},
        format="json",
    )

    assert response.status_code == 409
    assert response.json()["code"] == "step_in_use"
    assert sequence.steps.count() == 3


def test_the_owner_enrols_a_lead_and_another_rep_gets_404(api, rep, other_rep, sequence):
    lead = LeadFactory(owner=rep)

    assert api(other_rep).post(f"/api/v1/leads/{lead.pk}/enroll/", {"sequence": sequence.pk}).status_code == 404
    response = api(rep).post(f"/api/v1/leads/{lead.pk}/enroll/", {"sequence": sequence.pk})

    assert response.status_code == 201, response.json()
    assert response.json()["lead"] == lead.pk and response.json()["status"] == "active"


@pytest.mark.parametrize("fields", [{"do_not_contact": True}, {"status": "unqualified"}])
def test_enrolling_a_lead_that_may_not_be_nurtured_answers_400_lead_not_enrollable(api, rep, sequence, fields):
    lead = LeadFactory(owner=rep, **fields)

    response = api(rep).post(f"/api/v1/leads/{lead.pk}/enroll/", {"sequence": sequence.pk})

    assert response.status_code == 400
    assert response.json()["code"] == "lead_not_enrollable"
    assert not Enrollment.objects.exists()


def test_enroll_input_errors_name_the_field_and_repeat_enrolment_is_409(api, rep, sequence):
    lead = LeadFactory(owner=rep)
    client = api(rep)

    assert "sequence" in client.post(f"/api/v1/leads/{lead.pk}/enroll/", {"sequence": 999999}).json()
    assert "sequence" in client.post(f"/api/v1/leads/{lead.pk}/enroll/", {}).json()
    assert client.post(f"/api/v1/leads/{lead.pk}/enroll/", {"sequence": sequence.pk}).status_code == 201
    repeat = client.post(f"/api/v1/leads/{lead.pk}/enroll/", {"sequence": sequence.pk})
    assert (repeat.status_code, repeat.json()["code"]) == (409, "lead_already_enrolled")


def test_enrollments_list_only_visible_leads_filters_and_stays_at_fixed_queries(
    api, rep, other_rep, manager, sequence, django_assert_max_num_queries
):
    mine = [LeadFactory(owner=rep) for _ in range(5)]
    theirs = LeadFactory(owner=other_rep)
    for lead in [*mine, theirs]:
        enroll_lead(lead, sequence=sequence, by=None)
    send_due_steps()

    with django_assert_max_num_queries(4):
        response = api(rep).get("/api/v1/enrollments/")

    assert response.status_code == 200
    assert {e["lead"] for e in response.json()["results"]} == {lead.pk for lead in mine}
    assert all(len(e["deliveries"]) == 1 for e in response.json()["results"])
    filtered = api(rep).get("/api/v1/enrollments/", {"lead": mine[0].pk, "status": "active"}).json()["results"]
    assert [e["lead"] for e in filtered] == [mine[0].pk]
    assert api(rep).get("/api/v1/enrollments/", {"status": "bogus"}).status_code == 400
    their_enrollment = Enrollment.objects.get(lead=theirs)
    assert api(rep).get(f"/api/v1/enrollments/{their_enrollment.pk}/").status_code == 404
    assert api(manager).get(f"/api/v1/enrollments/{their_enrollment.pk}/").status_code == 404
    assert api(UserFactory(role="admin")).get(f"/api/v1/enrollments/{their_enrollment.pk}/").status_code == 200


def test_the_schema_describes_the_nurture_endpoints(api, admin):
    schema = api(admin).get("/api/v1/schema/", {"format": "json"}).json()

    assert "/api/v1/leads/{id}/enroll/" in schema["paths"]
    assert "/api/v1/sequences/{id}/" in schema["paths"] and "/api/v1/enrollments/" in schema["paths"]


def test_a_sequence_with_enrollments_cannot_be_deleted_but_an_unused_one_can(api, admin, rep, sequence):
    unused = api(admin).post("/api/v1/sequences/", SEQUENCE, format="json").json()
    enroll_lead(LeadFactory(owner=rep), sequence=sequence, by=rep)

    refused = api(admin).delete(f"/api/v1/sequences/{sequence.pk}/")

    assert (refused.status_code, refused.json()["code"]) == (409, "sequence_in_use")
    assert api(admin).delete(f"/api/v1/sequences/{unused['id']}/").status_code == 204
    assert not Sequence.objects.filter(pk=unused["id"]).exists()
    assert Sequence.objects.filter(pk=sequence.pk).exists()
