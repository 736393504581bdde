"""One person held in every corner of the CRM, and another who must be left alone."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from activities.attachments import add_attachment
from activities.models import Attachment
from activities.services import log_activity
from campaigns.services import tag_lead_with_campaign
from contacts.models import Contact
from conversion.services import convert_lead
from imports.models import ImportJob, ImportRowError
from leads.models import Lead
from nurture.models import Delivery, RecordEmail
from nurture.services.enrollment import enroll_lead
from nurture.services.record_email import queue_record_email
from nurture.services.sending import send_due_steps
from nurture.tracking_models import TrackingHit
from tests.factories import CampaignFactory, LeadFactory, SequenceFactory, StepFactory, qualified_lead

EMAIL = "jane.doe@erase.example"
OTHER_EMAIL = "olga@keep.example"


@dataclass
class Person:
    open_lead: Lead
    converted_lead: Lead
    contact: Contact
    conversion: object
    attachment: Attachment
    record_email: RecordEmail
    delivery: Delivery
    other: Lead


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def person(rep) -> Person:
    """Jane: a lead converted into a contact, account and deal; a later open lead with her address (typed in any
    case); a call, a note, a file, an email from her contact's page, a nurture email she opened, a campaign and an
    import error row. Olga, another person, has a lead, a call and a nurture email of her own."""
    converted = qualified_lead(rep, first_name="Jane", last_name="Doe", email=EMAIL, company="Globex")
    conversion = convert_lead(converted, by=rep)
    converted.refresh_from_db()
    contact = conversion.contact
    open_lead = LeadFactory(owner=rep, first_name="Jane", last_name="Doe", email=EMAIL.upper(), company="Globex")
    other = LeadFactory(owner=rep, first_name="Olga", last_name="Keep", email=OTHER_EMAIL, company="Initech")
    log_activity(by=rep, kind="call", subject="Call with Jane", body="Jane's mobile is 555-0100", lead=open_lead)
    log_activity(by=rep, kind="note", subject="Jane's budget", body="Jane said 50k", contact=contact)
    log_activity(by=rep, kind="call", subject="Call with Olga", body="Olga is keen", lead=other)
    attachment = add_attachment(
        by=rep, upload=SimpleUploadedFile("jane-passport.pdf", b"%PDF-1.4 jane", "application/pdf"), lead=open_lead
    )
    record_email = queue_record_email(contact, by=rep, subject="Hello Jane", body="Dear Jane, your quote.")
    sequence = SequenceFactory(name="Welcome")
    StepFactory(sequence=sequence, order=1, delay_days=0, subject="Welcome {{ first_name }}")
    enroll_lead(open_lead, sequence=sequence, by=rep)
    enroll_lead(other, sequence=sequence, by=rep)
    send_due_steps()
    delivery = Delivery.objects.get(enrollment__lead=open_lead)
    now = timezone.now()
    for sent in Delivery.objects.all():
        TrackingHit.objects.create(delivery=sent, kind="open", first_at=now, last_at=now, user_agent="Mail")
    tag_lead_with_campaign(open_lead.pk, CampaignFactory(name="Spring webinar"), by=rep)
    job = ImportJob.objects.create(created_by=rep, original_name="fair.csv", status=ImportJob.Status.DONE)
    ImportRowError.objects.create(job=job, row=7, column="Email", message="Duplicate of row 3.", value=EMAIL)
    ImportRowError.objects.create(job=job, row=7, column="Phone", message="Too long.", value="555-0100555")
    ImportRowError.objects.create(job=job, row=9, column="Email", message="Bad.", value="olga@keep")
    return Person(open_lead, converted, contact, conversion, attachment, record_email, delivery, other)
