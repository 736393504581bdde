"""Delivering messages: signatures, retries with the same webhook-id, order per record, backoff, disabling."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from standardwebhooks.webhooks import Webhook

from integrations.webhooks.delivery import BACKOFF, JITTER, dispatch_due_deliveries, retry_delay
from integrations.webhooks.models import Delivery, Endpoint, Message
from integrations.webhooks.services import rotate_secret
from leads.services.capture import change_lead_status, create_lead, update_lead

pytestmark = pytest.mark.django_db


def test_a_delivery_verifies_with_standardwebhooks_byte_for_byte(admin, receiver, endpoint_for):
    endpoint = endpoint_for(receiver, ["lead.created"])
    lead = create_lead(by=admin, first_name="Ada", last_name="Lovelace", email="ada@example.test")

    assert dispatch_due_deliveries() == 1

    [got] = receiver.requests
    message = Message.objects.get()
    assert got.body == message.body.encode()
    payload = Webhook(endpoint.secret).verify(got.body, got.headers)
    assert payload["type"] == "lead.created"
    assert payload["data"]["id"] == lead.pk
    assert payload["data"]["record"]["email"] == "ada@example.test"
    assert got.headers["webhook-id"] == message.webhook_id
    assert got.headers["content-type"] == "application/json"
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_status_code, delivery.attempts) == ("succeeded", 200, 1)


def test_a_wrong_secret_or_a_changed_body_does_not_verify(admin, receiver, endpoint_for):
    endpoint_for(receiver, ["lead.created"])
    create_lead(by=admin, first_name="Ada", last_name="Lovelace")
    dispatch_due_deliveries()
    [got] = receiver.requests

    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 43).verify(got.body, got.headers)
    with pytest.raises(Exception, match="signature"):
        Webhook(receiver.secrets[0]).verify(got.body.replace(b"Ada", b"Eve"), got.headers)


def test_during_a_rotation_both_secrets_sign_and_after_the_grace_period_only_the_new_one(admin, receiver, endpoint_for):
    endpoint = endpoint_for(receiver, ["lead.created"])
    old = endpoint.secret
    endpoint, new = rotate_secret(endpoint, by=admin, grace=timedelta(hours=24))

    create_lead(by=admin, first_name="Ada", last_name="Lovelace")
    dispatch_due_deliveries()
    got = receiver.requests[-1]
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    Webhook(old).verify(got.body, got.headers)
    Webhook(new).verify(got.body, got.headers)

    with time_machine.travel(datetime.now(UTC) + timedelta(hours=25), tick=False):
        create_lead(by=admin, first_name="Bob", last_name="Later")
        dispatch_due_deliveries()
        got = receiver.requests[-1]
        assert len(got.headers["webhook-signature"].split(" ")) == 1
        Webhook(new).verify(got.body, got.headers)
        with pytest.raises(Exception, match="signature"):
            Webhook(old).verify(got.body, got.headers)


def test_a_retry_sends_the_same_webhook_id_and_body_after_the_backoff(admin, receiver, endpoint_for):
    receiver.answers = [500]
    endpoint_for(receiver, ["lead.created"])
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        create_lead(by=admin, first_name="Ada", last_name="Lovelace")
        dispatch_due_deliveries()
        delivery = Delivery.objects.get()
        assert delivery.status == "failed"
        assert delivery.last_status_code == 500
        assert delivery.response_excerpt.startswith("nope") and len(delivery.response_excerpt) == 500
        assert start + timedelta(seconds=5) <= delivery.next_attempt_at <= start + timedelta(seconds=5.5)

        dispatch_due_deliveries()  # not due yet
        assert len(receiver.requests) == 1

        clock.shift(timedelta(seconds=6))
        dispatch_due_deliveries()

    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body
    assert first.headers["webhook-timestamp"] != second.headers["webhook-timestamp"]
    assert second.verified
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)


def test_the_backoff_grows_from_seconds_to_hours_over_a_day_then_gives_up():
    waits = [retry_delay(attempt) for attempt in range(1, len(BACKOFF) + 2)]

    assert waits[-1] is None
    for wait, base in zip(waits, BACKOFF, strict=False):
        assert base <= wait <= base * (1 + JITTER)
    assert BACKOFF[0] == timedelta(seconds=5)
    assert BACKOFF[1] == timedelta(minutes=5)
    assert timedelta(hours=24) < sum(BACKOFF, timedelta()) < timedelta(hours=30)


def test_a_later_message_waits_while_an_earlier_one_for_the_same_record_is_failing(admin, receiver, endpoint_for):
    receiver.answers = [503]
    endpoint_for(receiver, ["lead.created", "lead.updated", "lead.status_changed"])
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        first = create_lead(by=admin, first_name="Ada", last_name="Lovelace")
        dispatch_due_deliveries()  # lead.created fails
        update_lead(first, by=admin, data={"title": "CTO"})
        change_lead_status(first, to="working", by=admin)
        other = create_lead(by=admin, first_name="Bob", last_name="Other")

        dispatch_due_deliveries()
        # Only the other lead's message went; the first lead's update and status change wait for its creation.
        assert [json.loads(r.body)["data"]["id"] for r in receiver.requests] == [first.pk, other.pk]
        assert Delivery.objects.filter(record_key=f"lead:{first.pk}", status="pending").count() == 2

        clock.shift(timedelta(seconds=6))
        dispatch_due_deliveries()

    types = [json.loads(r.body)["type"] for r in receiver.requests if json.loads(r.body)["data"]["id"] == first.pk]
    assert types == ["lead.created", "lead.created", "lead.updated", "lead.status_changed"]
    assert not Delivery.objects.filter(status__in=Delivery.OPEN).exists()


def test_a_redirect_is_a_failure_and_is_not_followed(admin, receiver, endpoint_for):
    elsewhere = type(receiver)()
    elsewhere.up()
    try:
        receiver.default, receiver.location = 302, elsewhere.url
        endpoint_for(receiver, ["lead.created"])
        create_lead(by=admin, first_name="Ada", last_name="Lovelace")
        dispatch_due_deliveries()
    finally:
        elsewhere.down()

    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_status_code) == ("failed", 302)
    assert "Redirects are not followed" in delivery.error
    assert elsewhere.requests == []


def test_after_24_hours_of_failures_the_endpoint_is_disabled_and_admins_are_emailed(
    admin, receiver, endpoint_for, django_capture_on_commit_callbacks
):
    receiver.default = 500
    endpoint = endpoint_for(receiver, ["lead.created"])
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as clock:
        create_lead(by=admin, first_name="Ada", last_name="Lovelace")
        attempts = []
        for _ in range(20):  # like beat: whenever the next retry is due
            with django_capture_on_commit_callbacks(execute=True):
                dispatch_due_deliveries()
            endpoint.refresh_from_db()
            if not endpoint.is_active:
                break
            attempts.append(datetime.now(UTC))
            clock.move_to(Delivery.objects.get().next_attempt_at)
        disabled_at = datetime.now(UTC)

    assert not endpoint.is_active
    assert disabled_at - start >= timedelta(hours=24)
    assert len(attempts) == len(BACKOFF)  # the eighth attempt, past 24 hours, was the last
    assert "every delivery failed since" in endpoint.disabled_reason
    assert Delivery.objects.get().status == "dead"
    [email] = mail.outbox
    assert email.to == [admin.email]
    assert endpoint.url in email.subject
    # Nothing more is sent to a disabled endpoint, and new events are not queued for it.
    sent = len(receiver.requests)
    create_lead(by=admin, first_name="Bob", last_name="After")
    dispatch_due_deliveries()
    assert len(receiver.requests) == sent
    assert Message.objects.count() == 1


def test_a_success_clears_the_failing_streak(admin, receiver, endpoint_for):
    receiver.answers = [500]
    endpoint = endpoint_for(receiver, ["lead.created"])
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as clock:
        create_lead(by=admin, first_name="Ada", last_name="Lovelace")
        dispatch_due_deliveries()
        assert Endpoint.objects.get(pk=endpoint.pk).failing_since is not None
        clock.shift(timedelta(seconds=6))
        dispatch_due_deliveries()

    assert Endpoint.objects.get(pk=endpoint.pk).failing_since is None
