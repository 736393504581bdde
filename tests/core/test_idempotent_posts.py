"""Every POST of the API honours `Idempotency-Key` (API.md), not only the record resources'."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assignment.models import AssignmentRule
from imports.models import ImportJob
from nurture.models import Enrollment, Sequence
from scoring.models import ScoringRule
from tests.factories import LeadFactory, SequenceFactory, StepFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


def _twice(client, path, data, *, format="json"):
    first = client.post(path, data, format=format, HTTP_IDEMPOTENCY_KEY="same-key")
    if format == "multipart":
        data = {**data, "file": SimpleUploadedFile("leads.csv", b"Last Name\r\nDoe\r\n")}
    second = client.post(path, data, format=format, HTTP_IDEMPOTENCY_KEY="same-key")
    return first, second


@pytest.mark.parametrize(
    ("path", "data", "model"),
    [
        (
            "/api/v1/scoring-rules/",
            {"name": "VP", "field": "title", "operator": "contains", "value": "vp", "points": 10},
            ScoringRule,
        ),
        ("/api/v1/assignment-rules/", {"name": "All", "order": 5}, AssignmentRule),
        ("/api/v1/sequences/", {"name": "Welcome", "steps": []}, Sequence),
    ],
)
def test_a_repeated_configuration_post_creates_once_and_replays_the_answer(manager, api, path, data, model):
    before = model.objects.count()

    first, second = _twice(api(manager), path, data)

    assert first.status_code == 201, first.content
    assert (second.status_code, second.json()) == (201, first.json())
    assert second["Idempotent-Replayed"] == "true"
    assert model.objects.count() == before + 1


def test_a_repeated_import_upload_starts_one_job(manager, api):
    upload = {"file": SimpleUploadedFile("leads.csv", b"Last Name\r\nDoe\r\n")}

    first, second = _twice(api(manager), "/api/v1/imports/", upload, format="multipart")

    assert first.status_code == 202, first.content
    assert (second.status_code, second.json()) == (202, first.json())
    assert ImportJob.objects.count() == 1


def test_a_repeated_enrolment_enrols_once(rep, api):
    sequence = SequenceFactory()
    StepFactory(sequence=sequence, order=1)
    lead = LeadFactory(owner=rep)

    first, second = _twice(api(rep), f"/api/v1/leads/{lead.pk}/enroll/", {"sequence": sequence.pk})

    assert first.status_code == 201, first.content
    assert (second.status_code, second.json()) == (201, first.json())
    assert Enrollment.objects.filter(lead=lead).count() == 1
