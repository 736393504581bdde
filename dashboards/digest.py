"""The weekly manager digest: due on Monday from 07:00 in each manager's time zone, sent exactly once.

The database says who is due; the hourly beat task only kicks `send_weekly_digests`. A manager (active, with an
email, `weekly_digest` on) is due once it is Monday, 07:00 or later, where they are, and they have no digest for
that Monday yet; a run later that Monday (a beat that was down at 07:00) still sends it, Tuesday's does not.

Claim, then send (as task reminders do):

1. the claim INSERTs the (manager, week) `DigestDelivery`, "pending"; the unique constraint lets exactly one of
   two concurrent senders create it (the other's INSERT fails and it moves on);
2. every "pending" delivery is then taken with a conditional UPDATE ("pending" → "sending"): only the sender
   whose UPDATE changed the row builds the email and hands it to the mail backend, then marks it "sent" (or
   "failed", not retried: the mail may have left).

A sender that dies between the claim and the send leaves the delivery "pending": the next run sends it, once.

The digest covers the week before that Monday (Monday to Sunday), built from the sections of
`dashboards.digest_sections`, the pages' own selectors on the same range.
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from core.replica import reading_replica
from dashboards.digest_sections import build_sections
from dashboards.filters import FunnelFilters
from dashboards.models import DigestDelivery
from users.models import User

logger = logging.getLogger(__name__)

SEND_HOUR = 7  # Monday 07:00 in the manager's zone, before the working day
UNSUBSCRIBE_SALT = "dashboards.digest.unsubscribe"


def make_unsubscribe_token(user_id: int) -> str:
    """Return the signed token of `user_id`'s digest unsubscribe link (it never expires)."""
    return signing.dumps(user_id, salt=UNSUBSCRIBE_SALT, compress=False)


def read_unsubscribe_token(token: str) -> int | None:
    """Return the user id in `token`, or None when it is forged or malformed."""
    try:
        value = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def unsubscribe_url(user_id: int) -> str:
    path = reverse("dashboards:digest-unsubscribe", args=[make_unsubscribe_token(user_id)])
    return settings.SITE_URL.rstrip("/") + path


def digest_week(user: User, now: datetime) -> date | None:
    """Return the Monday `user`'s digest is due for at `now`, or None when it is not Monday 07:00+ there."""
    try:
        local = now.astimezone(zoneinfo.ZoneInfo(user.time_zone))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        local = timezone.localtime(now)
    if local.weekday() != 0 or local.hour < SEND_HOUR:
        return None
    return local.date()


def digest_filters(week: date) -> FunnelFilters:
    """The range a digest for the Monday `week` covers: the seven days before it."""
    return FunnelFilters(created_after=week - timedelta(days=7), created_before=week - timedelta(days=1))


def list_digest_recipients():
    """Managers who get the digest: active, with an email address, not unsubscribed."""
    return User.objects.filter(role=User.Role.MANAGER, is_active=True, weekly_digest=True).exclude(email="")


def claim_due_digests(*, now: datetime | None = None) -> list[int]:
    """Create the pending delivery of every manager due at `now` who has none for the week; return their ids."""
    now = now or timezone.now()
    claimed = []
    for user in list_digest_recipients().only("pk", "time_zone"):
        week = digest_week(user, now)
        if week is None or DigestDelivery.objects.filter(user=user, week=week).exists():
            continue
        try:
            with transaction.atomic():
                claimed.append(DigestDelivery.objects.create(user=user, week=week).pk)
        except IntegrityError:
            continue  # another sender claimed it first
    return claimed


def build_digest_email(user: User, week: date) -> EmailMultiAlternatives:
    """Return `user`'s digest for the Monday `week`: text and HTML with inline bars, and a one-click unsubscribe."""
    filters = digest_filters(week)
    link = unsubscribe_url(user.pk)
    with reading_replica():  # the digest's figures are a report: the replica's, when there is one
        sections = build_sections(user, filters)
    context = {
        "user": user,
        "filters": filters,
        "sections": sections,
        "unsubscribe_url": link,
        "site_url": settings.SITE_URL.rstrip("/"),
    }
    first, last = filters.created_after, filters.created_before
    subject = f"Your week in Funnel CRM: {first:%b} {first.day} to {last:%b} {last.day}, {last.year}"
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("dashboards/digest_email.txt", context),
        to=[user.email],
        headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("dashboards/digest_email.html", context), "text/html")
    return message


def send_pending_digests() -> int:
    """Send each pending delivery once; return how many were sent."""
    sent = 0
    pending = DigestDelivery.objects.filter(status=DigestDelivery.Status.PENDING).order_by("id")
    for pk in list(pending.values_list("pk", flat=True)):
        taken = DigestDelivery.objects.filter(pk=pk, status=DigestDelivery.Status.PENDING).update(
            status=DigestDelivery.Status.SENDING
        )
        if not taken:
            continue  # another sender took it
        delivery = DigestDelivery.objects.select_related("user").get(pk=pk)
        try:
            build_digest_email(delivery.user, delivery.week).send()
        except Exception:  # not retried: the mail may or may not have left
            logger.exception("could not send weekly digest %s", pk)
            DigestDelivery.objects.filter(pk=pk).update(status=DigestDelivery.Status.FAILED)
            continue
        DigestDelivery.objects.filter(pk=pk).update(status=DigestDelivery.Status.SENT, sent_at=timezone.now())
        sent += 1
    return sent


def send_weekly_digests(*, now: datetime | None = None) -> int:
    """Claim the digests due at `now`, then send every pending one; return how many were sent."""
    claim_due_digests(now=now)
    return send_pending_digests()


def send_digest_now(user: User) -> None:
    """Send `user` this week's digest on demand (the management command), outside the once-a-week record."""
    today = timezone.localdate()
    build_digest_email(user, today - timedelta(days=today.weekday())).send()
