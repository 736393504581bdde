"""Record opens and clicks of tracked emails (see `nurture.tracking` for what an email carries and what is a bot).

`record_hit` is the one write a public tracking request makes. Per email and kind there is one human row and one
bot row (`TrackingHit`): the first request creates it, later ones only count. The first human open or click is
engagement, recorded as an event on the recipient's timeline through `activities.services.record_event`, which
announces `activity.recorded` so that scoring rescores the lead:

- a nurture step: "nurture_opened" / "nurture_clicked" on the lead; a click also stops the lead's enrollment in
  that sequence when the sequence says `exit_on_click`;
- an email written from a record: the same two kinds (their timeline label is "Email opened" / "Link clicked",
  whatever the email), on the lead or the contact — one engagement vocabulary, so the scoring rules weigh an
  opened email the same whoever sent it.

Nothing is recorded while tracking is switched off, or once the recipient may no longer be tracked
(do-not-contact, unsubscribed, bouncing) — the request is still answered.
"""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from activities.services import record_event
from leads.models import Lead
from nurture.models import Delivery, Enrollment, RecordEmail, TrackingHit
from nurture.services.enrollment import stop_enrollment_for
from nurture.tracking import TOKEN_PATTERN, bot_reason, tracking_allowed

Email = Delivery | RecordEmail
Kind = TrackingHit.Kind
EVENT_KINDS = {Kind.OPEN: "nurture_opened", Kind.CLICK: "nurture_clicked"}


def find_tracked_email(token: str) -> Email | None:
    """The delivery or email from a record that `token` belongs to, or None (also for malformed tokens)."""
    if not isinstance(token, str) or not TOKEN_PATTERN.match(token):
        return None
    delivery = (
        Delivery.objects.select_related("enrollment__lead", "enrollment__sequence", "step")
        .filter(tracking_token=token)
        .first()
    )
    if delivery is not None:
        return delivery
    return RecordEmail.objects.select_related("lead", "contact").filter(tracking_token=token).first()


def _recipient(email: Email):
    if isinstance(email, Delivery):
        return email.enrollment.lead
    return email.lead or email.contact


def _engage(email: Email, *, kind: str, url: str, recipient) -> None:
    """The first human open or click: an engagement event on the timeline (and a click exit)."""
    if isinstance(email, Delivery):
        sequence, step = email.enrollment.sequence, email.step
        where = f"“{sequence.name}” email {step.order}"
        data = {"delivery": email.pk, "sequence": sequence.pk, "step": step.pk}
    else:
        where = f"email “{email.subject}”"
        data = {"record_email": email.pk}
    summary = f"Opened {where}" if kind == Kind.OPEN else f"Clicked {url} in {where}"
    if kind == Kind.CLICK:
        data["url"] = url
    records = {"lead": recipient} if isinstance(recipient, Lead) else {"contact": recipient}
    record_event(EVENT_KINDS[kind], summary[:500], data=data, **records)
    if kind == Kind.CLICK and isinstance(email, Delivery) and email.enrollment.sequence.exit_on_click:
        stop_enrollment_for(email.enrollment_id, reason=Enrollment.StopReason.CLICKED)


@transaction.atomic
def record_hit(
    email: Email, *, kind: str, method: str, user_agent: str, url: str = "", now: datetime | None = None
) -> TrackingHit | None:
    """Count one open or click of `email`; return the hit row when this request created it, else None.

    The first human hit per email and kind records engagement (see the module docstring); bots only count.
    """
    now = now or timezone.now()
    recipient = _recipient(email)
    if not tracking_allowed(recipient):
        return None
    sent_at = email.sent_at or email.created_at
    reason = bot_reason(method=method, user_agent=user_agent, sent_at=sent_at, now=now)
    key = {"delivery" if isinstance(email, Delivery) else "record_email": email, "kind": kind, "is_bot": bool(reason)}
    if TrackingHit.objects.filter(**key).update(count=F("count") + 1, last_at=now):
        return None
    try:
        with transaction.atomic():
            hit = TrackingHit.objects.create(
                **key,
                url=url if kind == Kind.CLICK else "",
                bot_reason=reason,
                user_agent=(user_agent or "")[:255],
                first_at=now,
                last_at=now,
            )
    except IntegrityError:  # a concurrent first request created it meanwhile
        TrackingHit.objects.filter(**key).update(count=F("count") + 1, last_at=now)
        return None
    if not reason:
        _engage(email, kind=kind, url=url, recipient=recipient)
    return hit
