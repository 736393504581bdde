"""Once erased, a person is never re-created or emailed: every way in refuses, logged, without the address."""

from __future__ import annotations

import csv
import io
import logging

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from rest_framework.test import APIClient

from contacts.models import Contact
from contacts.services import create_contact, update_contact
from core.suppression import PersonErased, suppress_email
from imports.models import ImportRowError
from imports.services import create_import, run_import
from integrations.salesforce.objects import API_VERSION
from leads.models import Lead, WebForm
from leads.services.capture import create_lead, update_lead
from nurture.exceptions import RecipientNotEmailable
from nurture.models import Delivery
from nurture.services.enrollment import enroll_lead
from nurture.services.record_email import queue_record_email
from nurture.services.sending import send_due_steps
from tests.factories import ContactFactory, LeadFactory, SequenceFactory, StepFactory
from tests.privacy.conftest import EMAIL
from users.services import create_api_token

pytestmark = pytest.mark.usefixtures("fresh_throttles")

REFUSAL = "This person asked to be erased; the record cannot be created."


@pytest.fixture
def erased(db):
    suppress_email(EMAIL)


def test_the_rest_api_refuses_a_lead_naming_the_field(api, rep, erased, caplog):
    with caplog.at_level(logging.WARNING, logger="funnel.privacy"):
        response = api(rep).post("/api/v1/leads/", {"last_name": "Doe", "email": " JANE.doe@erase.example"})

    assert response.status_code == 409
    assert response.json()["code"] == "person_erased" and response.json()["email"] == [REFUSAL]
    assert not Lead.objects.exists()
    assert "erased person" in caplog.text and EMAIL not in caplog.text


def test_the_rest_api_refuses_a_contact(api, rep, erased):
    response = api(rep).post("/api/v1/contacts/", {"last_name": "Doe", "email": EMAIL})

    assert response.status_code == 409 and response.json()["email"] == [REFUSAL]
    assert not Contact.objects.exists()


def test_an_edit_may_not_give_a_record_the_erased_address(rep, erased):
    lead = LeadFactory(owner=rep)
    contact = ContactFactory(owner=rep)

    with pytest.raises(PersonErased):
        update_lead(lead, by=rep, data={"email": EMAIL})
    with pytest.raises(PersonErased):
        update_contact(contact, by=rep, data={"email": EMAIL.upper()})

    assert Lead.objects.get(pk=lead.pk).email != EMAIL and Contact.objects.get(pk=contact.pk).email != EMAIL


def test_the_bulk_upsert_reports_the_row(api, rep, erased):
    response = api(rep).post(
        "/api/v1/leads/bulk/",
        {"leads": [{"last_name": "Doe", "email": EMAIL}, {"last_name": "Roe", "email": "roe@keep.example"}]},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["created"] == 1
    assert response.json()["errors"] == [
        {"index": 0, "errors": {"code": "person_erased", "detail": REFUSAL, "email": [REFUSAL]}}
    ]
    assert list(Lead.objects.values_list("email", flat=True)) == ["roe@keep.example"]


def test_web_to_lead_shows_the_usual_answer_and_stores_nothing(client, erased):
    WebForm.objects.create(name="Pricing", form_key="pricing-key", allowed_return_urls="https://acme.test/thanks")

    plain = client.post("/api/v1/web-to-lead/", {"form_key": "pricing-key", "last_name": "Doe", "email": EMAIL})
    redirected = client.post(
        "/api/v1/web-to-lead/",
        {"form_key": "pricing-key", "last_name": "Doe", "email": EMAIL, "return_url": "https://acme.test/thanks"},
    )
    usual = client.post("/api/v1/web-to-lead/", {"form_key": "pricing-key", "last_name": "Roe", "email": "r@x.test"})

    assert (plain.status_code, plain.json()) == (usual.status_code, usual.json()) == (201, {"status": "received"})
    assert redirected.status_code == 303 and redirected["Location"] == "https://acme.test/thanks"
    assert list(Lead.objects.values_list("email", flat=True)) == ["r@x.test"]


def test_a_csv_import_fails_the_row_with_the_reason_and_no_address(manager, erased, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    text = io.StringIO()
    csv.writer(text).writerows([["Last Name", "Email"], ["Doe", "Jane.Doe@Erase.example"], ["Roe", "roe@x.test"]])
    job = create_import(by=manager, file=ContentFile(text.getvalue().encode(), name="l.csv"), enqueue=False)

    run_import(job.pk)

    job.refresh_from_db()
    assert (job.created, job.failed) == (1, 1)
    assert list(Lead.objects.values_list("email", flat=True)) == ["roe@x.test"]
    error = ImportRowError.objects.get(job=job)
    assert (error.row, error.column, error.message, error.value) == (2, "Email", REFUSAL, "")


def test_the_salesforce_api_refuses_a_lead_and_a_contact(rep, erased):
    data = f"/services/data/v{API_VERSION}/sobjects"
    sf_api = APIClient()
    sf_api.credentials(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user=rep, name='loader')[1]}")

    lead = sf_api.post(f"{data}/Lead/", {"LastName": "Doe", "Company": "X", "Email": EMAIL}, format="json")
    contact = sf_api.post(f"{data}/Contact/", {"LastName": "Doe", "Email": EMAIL}, format="json")

    assert lead.status_code == 400 and contact.status_code == 400
    assert REFUSAL in lead.json()[0]["message"] and "Email" in lead.json()[0]["fields"]
    assert not Lead.objects.exists() and not Contact.objects.exists()


def test_services_refuse_whoever_calls_them(rep, erased):
    with pytest.raises(PersonErased):
        create_lead(by=None, last_name="Doe", email=EMAIL)
    with pytest.raises(PersonErased):
        create_contact(by=rep, last_name="Doe", email=EMAIL)


def test_nurture_never_emails_an_erased_address(rep, db):
    # A lead written past the services (as a raw data load would) still gets no email once its address is erased.
    lead = LeadFactory(owner=rep, email=EMAIL)
    sequence = SequenceFactory(name="Welcome")
    StepFactory(sequence=sequence, order=1, delay_days=0)
    enroll_lead(lead, sequence=sequence, by=rep)
    suppress_email(EMAIL)

    send_due_steps()

    assert mail.outbox == []
    assert Delivery.objects.get().status == Delivery.Status.FAILED


def test_email_from_a_record_is_refused(rep, db):
    contact = ContactFactory(owner=rep, email=EMAIL)
    suppress_email(EMAIL)

    with pytest.raises(RecipientNotEmailable, match="asked to be erased"):
        queue_record_email(contact, by=rep, subject="Hi", body="Hello")


def test_a_different_address_is_not_refused(rep, erased):
    create_lead(by=rep, last_name="Doe", email="jane.doe@other.example")

    assert Lead.objects.filter(email="jane.doe@other.example").exists()
