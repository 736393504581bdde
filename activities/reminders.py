"""Task reminders: claim the due ones in the database, notify in the app, email the owner, each exactly once.

The database says what is due (`remind_at <= now`, not yet sent, task still open); the beat task only kicks
`send_due_reminders` every minute. One claim is one transaction:

1. SELECT the due tasks FOR UPDATE SKIP LOCKED LIMIT batch (PostgreSQL: concurrent senders take disjoint
   rows; SQLite's IMMEDIATE transactions serialise the senders instead);
2. stamp each with a conditional UPDATE (`reminder_sent_at IS NULL` → now): only the sender whose UPDATE
   changed the row goes on with it;
3. INSERT its in-app notification, email "pending", in the same transaction — so a claimed reminder always has
   its notification and a rolled-back claim has none: the notification exists exactly once.

After the COMMIT each pending email is claimed the same way ("pending" → "sending", a conditional UPDATE),
handed to Django's email backend and marked "sent" (or "failed", not retried). A sender that dies between the
claim's COMMIT and the email's claim leaves the email "pending": the next run sends it. One that dies after the
email's claim leaves it "sending" and it is never sent again, since it may have left: at most once, never twice.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from activities.models import Activity, Notification
from activities.services import notify

logger = logging.getLogger(__name__)

BATCH_SIZE = 100


def list_due_reminders(now: datetime):
    """The open tasks whose reminder time has come and that no sender has claimed, oldest first."""
    return Activity.objects.filter(
        kind=Activity.Kind.TASK,
        remind_at__lte=now,
        reminder_sent_at__isnull=True,
        completed_at__isnull=True,
        owner__isnull=False,
    ).order_by("remind_at", "id")


@transaction.atomic
def claim_due_reminders(*, now: datetime | None = None, batch_size: int = BATCH_SIZE) -> list[Notification]:
    """Claim up to `batch_size` due reminders and create each one's notification; return the notifications."""
    now = now or timezone.now()
    due = list(list_due_reminders(now).select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch_size])
    claimed = [
        pk
        for pk in due
        if Activity.objects.filter(pk=pk, reminder_sent_at__isnull=True, completed_at__isnull=True).update(
            reminder_sent_at=now
        )
    ]
    tasks = Activity.objects.filter(pk__in=claimed).select_related("owner").order_by("remind_at", "id")
    return [
        notify(
            task.owner,
            kind=Notification.Kind.REMINDER,
            text=f"Reminder: {task.subject} (due {_when(task.due_at)})" if task.due_at else f"Reminder: {task.subject}",
            url=task.get_absolute_url(),
            activity=task,
            email=True,
        )
        for task in tasks
    ]


def send_pending_reminder_emails(*, limit: int = 500) -> int:
    """Email each pending notification (a reminder, a missed SLA …) once to its user; return how many were sent."""
    pending = list(
        Notification.objects.filter(email_status=Notification.EmailStatus.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for pk in pending:
        claimed = Notification.objects.filter(pk=pk, email_status=Notification.EmailStatus.PENDING).update(
            email_status=Notification.EmailStatus.SENDING
        )
        if not claimed:
            continue  # another sender took it
        notification = Notification.objects.select_related("user", "activity").get(pk=pk)
        try:
            _reminder_email(notification).send()
        except Exception:  # a backend error is not retried: the mail may or may not have left
            logger.exception("could not email reminder notification %s", pk)
            status = Notification.EmailStatus.FAILED
        else:
            status = Notification.EmailStatus.SENT
            sent += 1
        Notification.objects.filter(pk=pk).update(email_status=status)
    return sent


def send_due_reminders(*, now: datetime | None = None, time_budget: float = 50.0) -> int:
    """Claim every due reminder (batch by batch, within `time_budget` seconds), then email them; return the count."""
    started = time.monotonic()
    claimed = 0
    while True:
        batch = claim_due_reminders(now=now)
        claimed += len(batch)
        if len(batch) < BATCH_SIZE or time.monotonic() - started > time_budget:
            break
    send_pending_reminder_emails()
    return claimed


def _when(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "M j, H:i")


def _reminder_email(notification: Notification) -> EmailMessage:
    task = notification.activity
    lines = [notification.text, ""]
    if task is not None and task.body:
        lines += [task.body, ""]
    lines.append(f"Open it: {settings.SITE_URL.rstrip('/')}{notification.url}")
    subject = f"Reminder: {task.subject}" if task is not None else notification.text
    return EmailMessage(subject=subject[:200], body="\n".join(lines), to=[notification.user.email])
