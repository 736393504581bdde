"""Replies posted by the mail provider: the shared token, Postmark and Mailgun shapes, matching, idempotency,
bad input, and what a reply sets off (engagement for scoring, nurture stopping)."""

import json

import pytest

from activities.models import Activity, Event
from leads.models import Lead
from nurture.models import Enrollment, InboundEmail
from nurture.services.enrollment import apply_exit_conditions, enroll_lead
from nurture.services.record_email import queue_record_email
from scoring.services import score_lead
from tests.factories import ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/inbound-email/"
SECRET = "s3cret-inbound-token"
AUTH = {"HTTP_AUTHORIZATION": f"Bearer {SECRET}"}


@pytest.fixture(autouse=True)
def _inbound_settings(settings):
    settings.FUNNEL_INBOUND_EMAIL_TOKEN = SECRET
    settings.FUNNEL_REPLY_DOMAIN = "replies.example"


@pytest.fixture
def lead(rep):
    return LeadFactory(owner=rep, first_name="Ada", email="ada@engines.example")


def postmark(*, sender="ada@engines.example", to="crm@example.test", message_id="pm-1", in_reply_to="", **extra):
    headers = [{"Name": "Message-ID", "Value": f"<{message_id}@mail.example>"}]
    if in_reply_to:
        headers.append({"Name": "In-Reply-To", "Value": in_reply_to})
    return {
        "From": f"Ada Lovelace <{sender}>",
        "FromFull": {"Email": sender, "Name": "Ada Lovelace"},
        "To": to,
        "ToFull": [{"Email": to, "Name": ""}],
        "Subject": "Re: Hello",
        "TextBody": "Yes, let's talk.\n\n> quoted",
        "StrippedTextReply": "Yes, let's talk.",
        "HtmlBody": "<p>Yes, let's talk.</p>",
        "MessageID": message_id,
        "Headers": headers,
        **extra,
    }


def post_json(client, payload, **extra):
    return client.post(URL, json.dumps(payload), content_type="application/json", **{**AUTH, **extra})


def test_the_token_is_required_and_checked(client, settings, lead):
    body = json.dumps(postmark())

    missing = client.post(URL, body, content_type="application/json")
    wrong = client.post(URL, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer nope")
    by_query = client.post(f"{URL}?token={SECRET}", body, content_type="application/json")
    settings.FUNNEL_INBOUND_EMAIL_TOKEN = ""
    unconfigured = client.post(URL, body, content_type="application/json", HTTP_AUTHORIZATION="Bearer ")

    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert wrong.status_code == 403
    assert by_query.status_code == 201
    assert unconfigured.status_code in (401, 403)
    assert InboundEmail.objects.count() == 1


def test_a_postmark_reply_to_a_record_email_matches_by_token(client, rep, lead):
    sent = queue_record_email(lead, by=rep, subject="Hello", body="Hi")
    other = LeadFactory(owner=rep, email="someone@else.example")  # the token wins over the sender's address

    response = post_json(client, postmark(sender=other.email, to=f"reply+{sent.reply_token}@replies.example"))

    assert response.status_code == 201
    assert response.json() == {
        "matched": True,
        "duplicate": False,
        "record": {"type": "lead", "id": lead.pk},
        "matched_by": "token",
        "activity": Activity.objects.get(lead=lead).pk,
    }
    activity = Activity.objects.get(lead=lead)
    assert activity.kind == "email" and activity.body == "Yes, let's talk."
    assert "Re: Hello" in activity.subject
    assert Event.objects.get(lead=lead, kind="reply").data["record_email"] == sent.pk


def test_a_mailgun_form_reply_matches_by_in_reply_to(client, rep):
    contact = ContactFactory(owner=rep, email="hank@globex.example")
    sent = queue_record_email(contact, by=rep, subject="Hello", body="Hi")

    response = client.post(
        URL,
        {
            "sender": "hank@globex.example",
            "recipient": "sales@replies.example",
            "subject": "Re: Hello",
            "body-plain": "Sounds good\n> old",
            "stripped-text": "Sounds good",
            "Message-Id": "<mg-1@globex.example>",
            "In-Reply-To": sent.message_id,
        },
        **AUTH,
    )

    assert response.status_code == 201 and response.json()["record"] == {"type": "contact", "id": contact.pk}
    assert response.json()["matched_by"] == "token"
    assert Activity.objects.get(contact=contact).body == "Sounds good"


def test_without_a_token_the_sender_address_matches_a_lead(client, lead):
    response = post_json(client, postmark(sender="ADA@engines.example"))

    assert response.status_code == 201
    assert response.json()["record"] == {"type": "lead", "id": lead.pk}
    assert response.json()["matched_by"] == "address"


def test_a_lead_and_a_contact_sharing_an_address_go_to_the_one_last_written_to(client, rep, lead):
    contact = ContactFactory(owner=rep, email=lead.email)
    queue_record_email(lead, by=rep, subject="First", body="x")
    queue_record_email(contact, by=rep, subject="Later", body="y")

    response = post_json(client, postmark())

    assert response.json()["record"] == {"type": "contact", "id": contact.pk}
    assert not Activity.objects.filter(lead=lead).exists()


def test_the_same_message_posted_twice_is_recorded_once(client, lead):
    first = post_json(client, postmark(message_id="same"))
    second = post_json(client, postmark(message_id="same"))

    assert first.status_code == 201
    assert second.status_code == 200 and second.json()["duplicate"] is True
    assert Activity.objects.filter(lead=lead).count() == 1
    assert Event.objects.filter(lead=lead, kind="reply").count() == 1


def test_no_match_answers_202_and_writes_nothing(client, lead):
    response = post_json(
        client, postmark(sender="stranger@nowhere.example", to="reply+" + "0" * 24 + "@replies.example")
    )

    assert response.status_code == 202 and response.json() == {"matched": False}
    assert not InboundEmail.objects.exists() and not Activity.objects.exists() and not Event.objects.exists()


@pytest.mark.parametrize(
    "body, content_type, status, words",
    [
        ("{not json", "application/json", 400, "not valid JSON"),
        ("[1, 2]", "application/json", 400, "JSON object"),
        (json.dumps({"Subject": "Hi", "FromFull": "not an object"}), "application/json", 400, "From"),
        ("hello", "text/plain", 415, "application/json"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_problem(client, lead, body, content_type, status, words):
    response = client.post(URL, body, content_type=content_type, **AUTH)

    assert response.status_code == status
    assert words in json.dumps(response.json())
    assert not InboundEmail.objects.exists()


def test_a_post_over_the_size_limit_is_refused(client, settings, lead):
    settings.FUNNEL_INBOUND_EMAIL_MAX_BYTES = 1000

    response = post_json(client, postmark(TextBody="x" * 2000))

    assert response.status_code == 413
    assert not InboundEmail.objects.exists()


def test_a_reply_counts_as_engagement_and_stops_nurture(
    client, rep, lead, sequence, django_capture_on_commit_callbacks
):
    enrollment = enroll_lead(lead, sequence=sequence, by=rep)
    score_lead(lead.pk)
    before = Lead.objects.get(pk=lead.pk).score

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_json(client, postmark())

    assert response.status_code == 201
    assert "scoring.tasks.score_lead_task" in {getattr(c, "task_name", "") for c in callbacks}
    assert Lead.objects.get(pk=lead.pk).score > before
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.STOPPED
    assert enrollment.stop_reason == Enrollment.StopReason.REPLIED


def test_a_reps_own_email_does_not_stop_nurture_but_the_reply_to_it_does(
    client, rep, lead, sequence, django_capture_on_commit_callbacks
):
    enrollment = enroll_lead(lead, sequence=sequence, by=rep)
    with django_capture_on_commit_callbacks(execute=True):
        sent = queue_record_email(lead, by=rep, subject="Hello", body="Hi")

    apply_exit_conditions(lead.pk)
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.ACTIVE

    post_json(client, postmark(to=f"reply+{sent.reply_token}@replies.example"))
    enrollment.refresh_from_db()
    assert enrollment.stop_reason == Enrollment.StopReason.REPLIED
