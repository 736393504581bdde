"""Deliver due messages: claim in the database, POST outside the transaction, record the outcome.

At least once, with the same `webhook-id` (and the same body) on every attempt:

1. claim: one transaction SELECTs due open deliveries (pending, or failed and due again) of active endpoints
   FOR UPDATE SKIP LOCKED (concurrent dispatchers take disjoint rows; SQLite serialises them instead), counts the
   attempt and leases each row for LEASE (its `next_attempt_at` moves past the send), COMMIT;
2. send each one, outside any transaction, re-checking the URL against the SSRF guard (DNS may have changed);
3. record the outcome in a transaction, only if the row is still the one claimed (same attempt count): delivered;
   or failed with the next attempt after BACKOFF; or dead when the schedule is spent.

A dispatcher that dies between 1 and 3 leaves the lease to expire: the message is sent again (the receiver
de-duplicates by `webhook-id`).

Order per record: a delivery is not claimed while an earlier message about the same record (`record_key`) for
the same endpoint is still open, so an endpoint receives `lead.created` before that lead's `lead.updated`, and a
failing message holds back the later ones for its record (not for other records) until it is delivered or dead.

Disabling: the endpoint's `failing_since` is its first failure since its last success; a failure 24 hours or more
after it disables the endpoint, gives up its open deliveries and emails the admins.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from integrations.webhooks.guard import UnsafeWebhookURL, check_url
from integrations.webhooks.models import Delivery, Endpoint
from integrations.webhooks.signing import signed_headers
from integrations.webhooks.transport import EXCERPT_CHARS, Outcome, post
from users.models import User

logger = logging.getLogger(__name__)

# Wait after the 1st, 2nd … failed attempt; past the last, the delivery is given up (about 27.5 hours in all).
BACKOFF = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
]
# Up to this share of a wait is added at random, so receivers coming back are not hit by every retry at once.
JITTER = 0.1
DISABLE_AFTER = timedelta(hours=24)
# A claimed delivery is not claimed again for this long: longer than a send (10 s timeout) by far.
LEASE = timedelta(minutes=2)
BATCH_SIZE = 50


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    attempt: int


def retry_delay(attempt: int) -> timedelta | None:
    """The wait after failed attempt number `attempt` (1-based), with jitter; None when it was the last."""
    if attempt > len(BACKOFF):
        return None
    base = BACKOFF[attempt - 1]
    return base + base * random.uniform(0, JITTER)


def _due(now: datetime):
    earlier_open = Delivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        record_key=OuterRef("record_key"),
        status__in=Delivery.OPEN,
        message_id__lt=OuterRef("message_id"),
    )
    return (
        Delivery.objects.filter(status__in=Delivery.OPEN, next_attempt_at__lte=now, endpoint__is_active=True)
        .exclude(Exists(earlier_open))
        .order_by("next_attempt_at", "id")
    )


@transaction.atomic
def claim_due_deliveries(*, now: datetime | None = None, limit: int = BATCH_SIZE) -> list[Claim]:
    """Claim up to `limit` due deliveries whose record has no earlier open message, counting the attempt."""
    now = now or timezone.now()
    due = _due(now)
    if connection.features.has_select_for_update_skip_locked:
        due = due.select_for_update(skip_locked=True, of=("self",))
    rows = list(due.values_list("pk", "attempts", "message_id")[:limit])
    if not rows:
        return []
    Delivery.objects.filter(pk__in=[pk for pk, _, _ in rows]).update(
        attempts=F("attempts") + 1, next_attempt_at=now + LEASE, last_attempt_at=now
    )
    return [Claim(pk, attempts + 1) for pk, attempts, _ in sorted(rows, key=lambda row: row[2])]


def secrets_in_use(endpoint: Endpoint, now: datetime) -> list[str]:
    """The secrets that sign now: the current one, and the previous one during its grace period."""
    in_use = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        in_use.append(endpoint.previous_secret)
    return in_use


def send_claimed(claim: Claim) -> Outcome | None:
    """Send one claimed delivery and record the outcome; None when the row changed since the claim."""
    delivery = Delivery.objects.select_related("endpoint", "message").filter(pk=claim.delivery_id).first()
    if delivery is None or delivery.attempts != claim.attempt or delivery.status not in Delivery.OPEN:
        return None
    endpoint, message = delivery.endpoint, delivery.message
    now = timezone.now()
    try:
        target = check_url(endpoint.url)
    except UnsafeWebhookURL as exc:
        outcome = Outcome(None, 0, error=exc.detail[:EXCERPT_CHARS])
    else:
        headers = signed_headers(
            secrets_in_use(endpoint, now), webhook_id=message.webhook_id, at=now, body=message.body
        )
        outcome = post(target, message.body.encode(), headers)
    record_outcome(claim, outcome)
    return outcome


@transaction.atomic
def record_outcome(claim: Claim, outcome: Outcome) -> None:
    """Store one attempt's outcome; schedule the retry, give up, or disable a failing endpoint."""
    now = timezone.now()
    delivery = Delivery.objects.filter(pk=claim.delivery_id).values("endpoint_id").first()
    if delivery is None:
        return
    # Lock order: the endpoint, then its delivery.
    endpoint = Endpoint.objects.select_for_update().get(pk=delivery["endpoint_id"])
    delivery = (
        Delivery.objects.select_for_update()
        .filter(pk=claim.delivery_id, attempts=claim.attempt, status__in=Delivery.OPEN)
        .first()
    )
    if delivery is None:  # replayed or given up meanwhile: this attempt no longer counts
        return
    delivery.last_status_code = outcome.status_code
    delivery.latency_ms = outcome.latency_ms
    delivery.response_excerpt = outcome.excerpt
    delivery.error = outcome.error
    if outcome.delivered:
        delivery.status, delivery.next_attempt_at = Delivery.Status.SUCCEEDED, None
        if endpoint.failing_since is not None:
            endpoint.failing_since = None
            endpoint.save(update_fields=["failing_since", "updated_at"])
    else:
        wait = retry_delay(claim.attempt)
        if wait is None:
            delivery.status, delivery.next_attempt_at = Delivery.Status.DEAD, None
            delivery.error = f"{outcome.error} Given up after {claim.attempt} attempts."[:EXCERPT_CHARS]
        else:
            delivery.status, delivery.next_attempt_at = Delivery.Status.FAILED, now + wait
        if endpoint.failing_since is None:
            endpoint.failing_since = now
            endpoint.save(update_fields=["failing_since", "updated_at"])
    delivery.save(
        update_fields=["status", "next_attempt_at", "last_status_code", "latency_ms", "response_excerpt", "error"]
    )
    if not outcome.delivered and endpoint.failing_since <= now - DISABLE_AFTER:
        disable_endpoint(endpoint, now=now, last_error=outcome.error)


def disable_endpoint(endpoint: Endpoint, *, now: datetime, last_error: str) -> None:
    """Turn a failing endpoint off, give up its open deliveries and email the admins (caller holds its lock)."""
    since = endpoint.failing_since
    endpoint.is_active = False
    endpoint.disabled_reason = (
        f"Disabled automatically on {now:%Y-%m-%d %H:%M} UTC: every delivery failed since "
        f"{since:%Y-%m-%d %H:%M} UTC. Last error: {last_error}"
    )[:300]
    endpoint.save(update_fields=["is_active", "disabled_reason", "updated_at"])
    Delivery.objects.filter(endpoint=endpoint, status__in=Delivery.OPEN).update(
        status=Delivery.Status.DEAD, next_attempt_at=None
    )
    transaction.on_commit(_email_admins(endpoint.pk, endpoint.url, endpoint.disabled_reason))


def _email_admins(endpoint_id: int, url: str, reason: str):
    def send() -> None:
        recipients = list(
            User.objects.filter(Q(role=User.Role.ADMIN) | Q(is_superuser=True), is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not recipients:
            return
        page = settings.SITE_URL.rstrip("/") + reverse("webhooks:detail", args=[endpoint_id])
        try:
            send_mail(
                f"Webhook endpoint disabled: {url}",
                f"{reason}\n\nFix the receiver, turn the endpoint back on and replay what it missed:\n{page}\n",
                None,
                recipients,
            )
        except Exception:  # the endpoint stays disabled; its page says why
            logger.exception("could not email the admins about webhook endpoint %s", endpoint_id)

    return send


def dispatch_due_deliveries(*, batch_size: int = BATCH_SIZE, time_budget: float = 50.0) -> int:
    """Send what is due, batch after batch, until nothing is due or `time_budget` seconds passed; return the count."""
    sent = 0
    deadline = time.monotonic() + time_budget
    while time.monotonic() < deadline:
        claims = claim_due_deliveries(limit=batch_size)
        if not claims:
            break
        for claim in claims:
            send_claimed(claim)
            sent += 1
    return sent
