"""Erasing a person: gone from records, timeline, email, files and imports in one go; the company's data stays."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.files.storage import default_storage

from accounts.models import Account
from activities.models import Activity, Attachment, Event
from activities.services import notify
from contacts.models import Contact
from core.exceptions import PermissionDenied
from core.models import IdempotencyKey, Suppression
from core.suppression import email_digest, is_suppressed
from imports.models import ImportRowError
from leads.models import Lead
from nurture.models import Delivery, RecordEmail
from nurture.tracking_models import TrackingHit
from opportunities.models import Opportunity
from privacy.models import Erasure
from privacy.selectors import get_person_data
from privacy.services import erase_person
from tests.factories import AccountFactory, ContactFactory
from tests.privacy.conftest import EMAIL, OTHER_EMAIL


def test_open_leads_are_deleted_and_converted_records_anonymised(person, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        erase_person(EMAIL, by=admin)

    assert not Lead.objects.filter(pk=person.open_lead.pk).exists()
    converted = Lead.objects.get(pk=person.converted_lead.pk)
    assert (converted.full_name, converted.email, converted.phone, converted.do_not_contact) == (
        "Erased person",
        "",
        "",
        True,
    )
    assert converted.status == Lead.Status.CONVERTED and converted.converted_at is not None  # the funnel stays
    contact = Contact.objects.get(pk=person.contact.pk)
    assert (contact.full_name, contact.email, contact.do_not_contact) == ("Erased person", "", True)


def test_accounts_and_opportunities_remain_and_lose_only_the_name(person, admin):
    deal = person.conversion.opportunity
    assert "Jane Doe" in deal.name

    erase_person(EMAIL, by=admin)

    deal = Opportunity.objects.get(pk=deal.pk)
    assert "Jane" not in deal.name and "Erased person" in deal.name
    assert deal.amount == person.conversion.opportunity.amount and deal.stage == person.conversion.opportunity.stage
    assert Account.objects.get(pk=person.conversion.account.pk).name == person.conversion.account.name


def test_a_person_account_is_anonymised(rep, admin):
    account = AccountFactory(owner=rep, name="Jane Doe", is_person_account=True, phone="555-0100")
    ContactFactory(owner=rep, account=account, first_name="Jane", last_name="Doe", email=EMAIL)

    erase_person(EMAIL, by=admin)

    account.refresh_from_db()
    assert (account.name, account.phone) == ("Erased person", "")


def test_timeline_words_email_bodies_files_hits_and_import_rows_are_gone(
    person, admin, django_capture_on_commit_callbacks
):
    stored = person.attachment.file.name
    assert default_storage.exists(stored)

    with django_capture_on_commit_callbacks(execute=True):
        erase_person(EMAIL, by=admin)

    note = Activity.objects.get(contact=person.contact)
    assert "Jane" not in note.subject and note.body == ""
    assert not Attachment.objects.filter(pk=person.attachment.pk).exists() and not default_storage.exists(stored)
    email = RecordEmail.objects.get(pk=person.record_email.pk)
    assert (email.to_email, email.body_text) == ("", "")
    assert not TrackingHit.objects.filter(delivery__enrollment__lead_id=person.open_lead.pk).exists()
    assert list(ImportRowError.objects.values_list("row", flat=True)) == [9]
    on_contact = Event.objects.filter(contact=person.contact)
    assert all("Jane" not in e.summary and EMAIL not in json.dumps(e.data) for e in on_contact)


def test_notifications_and_stored_api_responses_forget_the_person(person, admin, rep, api):
    notice = notify(rep, kind="sla_breach", text="Target missed: Jane Doe", url=f"/leads/{person.open_lead.pk}/")
    created = api(rep).post(
        "/api/v1/contacts/", {"last_name": "Doe", "email": EMAIL}, format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert created.status_code == 201 and IdempotencyKey.objects.filter(key="k-1").exists()

    erasure = erase_person(EMAIL, by=admin)

    notice.refresh_from_db()
    assert "Jane" not in notice.text
    assert not IdempotencyKey.objects.filter(key="k-1").exists()
    assert erasure.counts["notifications_scrubbed"] == 1 and erasure.counts["stored_api_responses_deleted"] == 1


def test_another_person_keeps_everything(person, admin):
    erase_person(EMAIL, by=admin)

    other = Lead.objects.get(pk=person.other.pk)
    assert other.email == OTHER_EMAIL
    assert Activity.objects.get(lead=other).body == "Olga is keen"
    assert TrackingHit.objects.filter(delivery__enrollment__lead=other).count() == 1
    assert Delivery.objects.filter(enrollment__lead=other).count() == 1
    assert get_person_data(OTHER_EMAIL, user=admin) is not None


def test_the_counts_say_what_was_done_per_kind(person, admin):
    erasure = erase_person(EMAIL, by=admin)

    assert erasure.found is True
    counts = erasure.counts
    assert (counts["leads_deleted"], counts["leads_anonymised"], counts["contacts_anonymised"]) == (1, 1, 1)
    assert (counts["attachments_deleted"], counts["tracking_hits_deleted"], counts["record_emails_scrubbed"]) == (
        1,
        1,
        1,
    )
    assert counts["import_error_rows_deleted"] == 2 and counts["opportunities_renamed"] == 1
    assert counts["activities_scrubbed"] == 2


def test_the_erased_person_is_gone_from_the_export(person, admin):
    erase_person(EMAIL, by=admin)

    assert get_person_data(EMAIL, user=admin) is None


def test_the_tombstone_says_who_and_when_but_not_whom(person, admin, caplog):
    with caplog.at_level(logging.INFO, logger="funnel.privacy"):
        erasure = erase_person(EMAIL, by=admin)

    tombstone = Erasure.objects.get()
    assert tombstone.erased_by == admin and tombstone.erased_at is not None
    stored = json.dumps([tombstone.counts, str(tombstone)]).lower()
    assert "jane" not in stored and "erase.example" not in stored
    assert EMAIL not in caplog.text and erasure.pk == tombstone.pk


def test_the_suppression_list_holds_a_peppered_hash_not_the_address(admin, db, settings):
    erase_person("Jane.Doe@Erase.example", by=admin)

    (entry,) = Suppression.objects.all()
    assert EMAIL not in entry.digest and entry.digest == email_digest(EMAIL)
    assert is_suppressed(" JANE.DOE@erase.example")
    settings.FUNNEL_PRIVACY_PEPPER = "another pepper"
    assert email_digest(EMAIL) != entry.digest


def test_nothing_held_still_suppresses_and_says_so(admin, db):
    erasure = erase_person("nobody@nowhere.example", by=admin)

    assert erasure.found is False and is_suppressed("nobody@nowhere.example")


@pytest.mark.parametrize("role", ["rep", "manager"])
def test_only_admins_may_erase(person, role, request):
    with pytest.raises(PermissionDenied):
        erase_person(EMAIL, by=request.getfixturevalue(role))

    assert Lead.objects.filter(pk=person.open_lead.pk).exists() and not Suppression.objects.exists()
