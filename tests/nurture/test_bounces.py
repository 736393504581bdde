"""Bounce and spam-complaint reports posted to the inbound endpoint (Postmark and Mailgun shapes): the lead is
marked bouncing, its nurture stops, later emails are refused, and bad or irrelevant reports are handled."""

import json
from datetime import UTC, datetime

import pytest
from django.core import mail

from activities.models import Event
from leads.models import Lead
from nurture.exceptions import LeadNotEnrollable, RecipientNotEmailable
from nurture.models import Enrollment, InboundEmail
from nurture.services.enrollment import enroll_lead
from nurture.services.record_email import queue_record_email
from nurture.services.sending import send_due_steps
from tests.factories import LeadFactory, SequenceFactory, StepFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/inbound-email/"
SECRET = "s3cret-inbound-token"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {SECRET}"}


@pytest.fixture(autouse=True)
def _inbound_settings(settings):
    settings.FUNNEL_INBOUND_EMAIL_TOKEN = SECRET


@pytest.fixture
def lead(rep):
    return LeadFactory(owner=rep, first_name="Ada", email="ada@engines.example")


def post(client, payload, **extra):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(URL, body, content_type="application/json", **{**AUTH, **extra})


def postmark_bounce(email="Ada@Engines.example", type_="HardBounce", **extra):
    return {
        "RecordType": "Bounce",
        "ID": 4323372036854775807,
        "Type": type_,
        "TypeCode": 1,
        "Name": "Hard bounce",
        "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
        "Description": "The server was unable to deliver your message (ex: unknown user, mailbox not found).",
        "Email": email,
        "From": "crm@example.test",
        "BouncedAt": "2026-11-05T16:33:54.9070259Z",
        "Inactive": False,
        **extra,
    }


def postmark_complaint(email="ada@engines.example"):
    return {"RecordType": "SpamComplaint", "Type": "SpamComplaint", "Email": email, "BouncedAt": "2026-11-06T08:00:00Z"}


def mailgun(event="failed", severity="permanent", recipient="ada@engines.example"):
    data = {"event": event, "recipient": recipient, "timestamp": 1780000000.25, "reason": "bounce"}
    if severity:
        data["severity"] = severity
    return {"signature": {"token": "t", "timestamp": "1", "signature": "s"}, "event-data": data}


@pytest.mark.parametrize(
    ("payload", "kind", "at"),
    [
        (postmark_bounce(), "bounce", datetime(2026, 11, 5, 16, 33, 54, 907025, tzinfo=UTC)),
        (postmark_bounce(type_="SoftBounce", Inactive=True), "bounce", None),
        (postmark_complaint(), "complaint", datetime(2026, 11, 6, 8, tzinfo=UTC)),
        (mailgun(), "bounce", datetime.fromtimestamp(1780000000.25, UTC)),
        (mailgun(event="complained", severity=""), "complaint", None),
    ],
)
def test_a_bounce_or_complaint_marks_the_lead_stops_nurture_and_shows_on_the_timeline(
    client, rep, lead, sequence, payload, kind, at
):
    enrollment = enroll_lead(lead, sequence=sequence, by=rep)

    response = post(client, payload)

    assert response.status_code == 201
    assert response.json() == {"bounce": True, "kind": kind, "leads": [lead.pk], "marked": 1}
    lead.refresh_from_db()
    assert lead.email_bounce_kind == kind and lead.email_bounced_at is not None
    if at is not None:
        assert lead.email_bounced_at == at
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", Enrollment.StopReason.BOUNCED)
    assert Event.objects.filter(lead=lead, kind="email_bounced").count() == 1
    assert not InboundEmail.objects.exists()  # a report is not a reply


def test_a_repeat_report_keeps_the_first_and_changes_nothing(client, lead):
    post(client, postmark_bounce())
    first = Lead.objects.get(pk=lead.pk).email_bounced_at

    again = post(client, postmark_complaint())

    assert again.status_code == 200 and again.json()["marked"] == 0
    lead.refresh_from_db()
    assert (lead.email_bounced_at, lead.email_bounce_kind) == (first, "bounce")
    assert Event.objects.filter(lead=lead, kind="email_bounced").count() == 1


def test_a_bouncing_lead_gets_no_more_nurture_or_record_email(client, rep, lead, sequence):
    enroll_lead(lead, sequence=sequence, by=rep)
    post(client, mailgun())

    assert send_due_steps() == 0
    assert mail.outbox == []
    with pytest.raises(LeadNotEnrollable, match="email bounced"):
        enroll_lead(lead, sequence=_other_sequence(), by=rep)
    with pytest.raises(RecipientNotEmailable, match="bounced"):
        queue_record_email(lead, by=rep, subject="Hi", body="Hello")


def _other_sequence():
    sequence = SequenceFactory()
    StepFactory(sequence=sequence, order=1)
    return sequence


@pytest.mark.parametrize(
    ("payload", "ignored"),
    [
        (postmark_bounce(type_="SoftBounce"), "a temporary bounce (SoftBounce)"),
        (mailgun(severity="temporary"), "a temporary failure"),
        (mailgun(event="delivered", severity=""), "not a bounce or complaint (delivered)"),
        ({"RecordType": "Delivery", "Recipient": "ada@engines.example"}, "not a bounce or complaint (Delivery)"),
    ],
)
def test_temporary_failures_and_other_events_are_accepted_and_ignored(client, lead, payload, ignored):
    response = post(client, payload)

    assert response.status_code == 202
    assert response.json() == {"bounce": False, "ignored": ignored}
    lead.refresh_from_db()
    assert lead.email_bounced_at is None


def test_a_report_for_an_unknown_address_is_accepted_and_writes_nothing(client, lead):
    response = post(client, postmark_bounce(email="nobody@else.example"))

    assert response.status_code == 202
    assert response.json()["leads"] == []
    assert not Event.objects.exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (postmark_bounce(email="not an address"), "Email"),
        (postmark_bounce(email=None), "Email"),
        (postmark_complaint(email=["ada@engines.example"]), "Email"),
        (mailgun(recipient=""), "event-data.recipient"),
        ({"event-data": "failed"}, "event-data"),
        ({"RecordType": 7, "Email": "ada@engines.example"}, "RecordType"),
    ],
)
def test_bad_reports_are_400_naming_the_field(client, lead, payload, field):
    response = post(client, payload)

    assert response.status_code == 400
    assert response.json()["code"] == "inbound_email_refused" and field in response.json()
    lead.refresh_from_db()
    assert lead.email_bounced_at is None


def test_odd_times_fall_back_to_now(client, lead):
    payload = mailgun()
    payload["event-data"]["timestamp"] = 1e30
    assert post(client, payload).status_code == 201
    other = LeadFactory(email="grace@navy.example")
    assert post(client, postmark_bounce(email=other.email, BouncedAt="yesterday")).status_code == 201
    assert Lead.objects.filter(email_bounced_at__isnull=False).count() == 2


def test_a_report_needs_the_inbound_token(client, lead):
    response = client.post(URL, json.dumps(postmark_bounce()), content_type="application/json")

    assert response.status_code == 401
    lead.refresh_from_db()
    assert lead.email_bounced_at is None
