"""Send due nurture steps: claim in the database, send outside the transaction, at most once.

The database says what is due (`Enrollment.next_send_at <= now`, status active); no Celery ETA or
countdown is involved. One claim is one transaction:

1. SELECT due enrollments (and their leads) FOR UPDATE SKIP LOCKED LIMIT batch — concurrent senders
   take disjoint batches, and a lead being unsubscribed or converted right now (row locked) is skipped —
   then read the locked rows with their current step (`list_due_enrollments` says why apart);
2. re-check every exit condition on the fresh lead row; stop the enrollment when one holds;
3. respect the sending window and the daily cap (reschedule instead of sending);
4. INSERT the Delivery(enrollment, step) row with status "sending" — unique, so no second sender can
   ever create it — and advance the enrollment to its next step (or complete it);
5. COMMIT. Only then is the email rendered and handed to Django's email backend, and the delivery
   marked "sent" (in groups of MARK_EVERY, with its timeline event) or "failed" (with the error).

Crash policy — at most once, never twice: a sender that dies after step 5's COMMIT and before marking
the delivery leaves it "sending" (up to MARK_EVERY of them may in fact have gone out; so may a database crash,
which may lose the last confirmations: they are committed without waiting for the disk, the claims are not). It is
NEVER sent again automatically, because the mail may or may not have left; `mark_stale_deliveries_unknown` (on
beat) turns such rows into "unknown" for a human to look at. A crash before the COMMIT rolls the claim back, so the step is simply still due.
A backend error ("failed") is not retried either, for the same reason.

On SQLite there is no SKIP LOCKED; its IMMEDIATE transactions serialise the claims instead.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone

from activities.models import Event
from activities.services import record_events
from campaigns.models import Campaign, CampaignMember
from campaigns.services import tag_leads_with_campaign
from core.suppression import suppressed_among
from leads.models import Lead
from nurture.models import Delivery, Enrollment, Sequence, Step
from nurture.rendering import address, merge_values, render_step
from nurture.schedule import Window, local_day_bounds, next_in_window, next_window_day, step_due_at
from nurture.selectors import list_due_enrollments
from nurture.services.enrollment import exit_reason, replied_since
from nurture.tokens import unsubscribe_url
from nurture.tracking import add_tracking, new_tracking_token, text_to_html, tracking_allowed

logger = logging.getLogger(__name__)

# Sent deliveries are confirmed (marked "sent", timeline event) in groups: one commit per 50 emails instead of
# one per email. A sender killed mid-group leaves at most this many sent emails in "sending" → "unknown".
# Measured with bench/nurture.py (PostgreSQL, 2 busy cores): groups of 50 sent 20-40% more steps/s than groups of
# 10, whose three statements per group cost more than rendering the ten emails.
MARK_EVERY = 50
# A delivery still "sending" after this long belongs to a sender that died (the hard task limit is 6 minutes).
STALE_SENDING_AFTER = timedelta(minutes=15)


@dataclass
class Claimed:
    delivery_id: int
    message_id: str
    lead: Lead
    step: Step
    sequence: Sequence
    tracking_token: str | None = None


@dataclass
class ClaimResult:
    processed: int
    to_send: list[Claimed]


def _sent_today(sequences: dict[int, Sequence], now: datetime) -> dict[int, int]:
    """Count each capped sequence's deliveries in its local today; the caller holds the sequence locks."""
    counts: dict[int, int] = {}
    for sequence in sequences.values():
        start, end = local_day_bounds(now, sequence.zone)
        counts[sequence.pk] = Delivery.objects.filter(
            enrollment__sequence=sequence, created_at__gte=start, created_at__lt=end
        ).aggregate(n=Count("id"))["n"]
    return counts


def _insert_deliveries(pairs: list[tuple[Enrollment, Step]]) -> dict[tuple[int, int], tuple[int, str, str]]:
    """Insert "sending" deliveries; return {(enrollment_id, step_id): (delivery_id, message_id, tracking_token)}
    for those created."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    rows = [
        Delivery(
            enrollment=e,
            step=s,
            status=Delivery.Status.SENDING,
            message_id=make_msgid("nurture", domain=domain),
            tracking_token=new_tracking_token(),
        )
        for e, s in pairs
    ]
    try:
        with transaction.atomic():
            created = Delivery.objects.bulk_create(rows)
    except IntegrityError:
        # A delivery for one of these already exists (data repaired by hand): skip that one, never resend it.
        created = []
        for row in rows:
            try:
                with transaction.atomic():
                    row.save()
                created.append(row)
            except IntegrityError:
                logger.warning("step %s of enrollment %s was already delivered", row.step_id, row.enrollment_id)
    if created and created[0].pk is None:  # backends that cannot return ids from a bulk insert
        lookup = Delivery.objects.filter(
            enrollment_id__in=[r.enrollment_id for r in created], status=Delivery.Status.SENDING
        ).values_list("enrollment_id", "step_id", "pk", "message_id", "tracking_token")
        return {(e, s): (pk, message_id, token) for e, s, pk, message_id, token in lookup}
    return {(r.enrollment_id, r.step_id): (r.pk, r.message_id, r.tracking_token) for r in created}


@transaction.atomic
def claim_due_batch(*, now: datetime | None = None, batch_size: int | None = None) -> ClaimResult:
    """Claim up to `batch_size` due enrollments: stop, reschedule or record a "sending" delivery and advance each."""
    now = now or timezone.now()
    enrollments = list_due_enrollments(now, limit=batch_size or settings.FUNNEL_NURTURE_BATCH_SIZE)
    if not enrollments:
        return ClaimResult(0, [])
    sequences = {e.sequence_id: e.sequence for e in enrollments}
    capped = {pk: s for pk, s in sequences.items() if s.daily_cap}
    if capped:
        # The cap is a count of today's deliveries: lock capped sequences (by pk) so two senders can't both fit
        # into the last slot.
        list(Sequence.objects.select_for_update().filter(pk__in=sorted(capped)).order_by("pk").values_list("pk"))
    used = _sent_today(capped, now)
    steps: dict[int, list[Step]] = {}
    for step in Step.objects.filter(sequence_id__in=sequences).order_by("sequence_id", "order", "id"):
        steps.setdefault(step.sequence_id, []).append(step)
    replied = replied_since([(e.lead_id, e.created_at) for e in enrollments if e.sequence.exit_on_reply])

    stopped: list[tuple[Enrollment, str]] = []
    sending: list[tuple[Enrollment, Step]] = []
    for enrollment in enrollments:
        sequence, step, lead = enrollment.sequence, enrollment.current_step, enrollment.lead
        window = Window.of(sequence)
        reason = exit_reason(lead, sequence, replied=enrollment.lead_id in replied and sequence.exit_on_reply)
        if reason:
            enrollment.status, enrollment.stop_reason = Enrollment.Status.STOPPED, reason
            enrollment.next_send_at, enrollment.ended_at = None, now
            stopped.append((enrollment, reason))
            continue
        if step is None:
            enrollment.status, enrollment.next_send_at, enrollment.ended_at = Enrollment.Status.COMPLETED, None, now
            continue
        in_window = next_in_window(now, window)
        if in_window != now:  # the sender is behind and the window closed meanwhile
            enrollment.next_send_at = in_window
            continue
        if sequence.pk in used:
            if used[sequence.pk] >= sequence.daily_cap:
                enrollment.next_send_at = next_window_day(now, window)
                continue
            used[sequence.pk] += 1
        sending.append((enrollment, step))
        later = [s for s in steps.get(sequence.pk, []) if (s.order, s.pk) > (step.order, step.pk)]
        if later:
            following = later[0]
            enrollment.current_step = following
            enrollment.next_send_at = step_due_at(
                now, delay_days=following.delay_days, delay_hours=following.delay_hours, window=window
            )
        else:
            enrollment.current_step, enrollment.next_send_at = None, None
            enrollment.status, enrollment.ended_at = Enrollment.Status.COMPLETED, now

    created = _insert_deliveries(sending)
    _save_outcomes(enrollments, now=now)
    if stopped:
        record_events(
            Event(
                kind="nurture_stopped",
                summary=f"Nurture “{e.sequence.name}” stopped: {Enrollment.StopReason(reason).label.lower()}"[:500],
                lead_id=e.lead_id,
                data={"sequence": e.sequence_id, "enrollment": e.pk, "reason": reason},
            )
            for e, reason in stopped
        )
    to_send = [
        Claimed(pk, message_id, e.lead, s, e.sequence, token)
        for e, s in sending
        if (e.pk, s.pk) in created
        for pk, message_id, token in [created[(e.pk, s.pk)]]
    ]
    return ClaimResult(len(enrollments), to_send)


def _save_outcomes(enrollments: list[Enrollment], *, now: datetime) -> None:
    """Write each enrollment's new state with one UPDATE per distinct outcome (bulk_update's CASE is ~10x slower)."""
    groups: dict[tuple, list[int]] = {}
    for e in enrollments:
        key = (e.status, e.stop_reason, e.current_step_id, e.next_send_at, e.ended_at)
        groups.setdefault(key, []).append(e.pk)
    for (status, stop_reason, step_id, next_send_at, ended_at), pks in groups.items():
        Enrollment.objects.filter(pk__in=pks).update(
            status=status,
            stop_reason=stop_reason,
            current_step_id=step_id,
            next_send_at=next_send_at,
            ended_at=ended_at,
            updated_at=now,
        )


def build_message(claimed: Claimed, *, connection=None) -> EmailMultiAlternatives:
    """Render one claimed step for its lead into an email with one-click unsubscribe headers.

    When the lead may be tracked (`nurture.tracking`), the HTML part (made from the text when the step has none)
    carries the open pixel and its links go through the click URL; the unsubscribe link never does.
    """
    lead = claimed.lead
    link = unsubscribe_url(lead.pk)
    rendered = render_step(claimed.step, merge_values(lead, unsubscribe_url=link))
    body = rendered.body_text
    if link not in body:  # every email carries its unsubscribe link, whatever the step's author wrote
        body = f"{body.rstrip()}\n\n--\nUnsubscribe: {link}\n"
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[address(lead.full_name, lead.email)],
        connection=connection,
        headers={
            "Message-ID": claimed.message_id,
            "List-Unsubscribe": f"<{link}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Funnel-Delivery": str(claimed.delivery_id),
        },
    )
    track = bool(claimed.tracking_token) and tracking_allowed(lead)
    if rendered.body_html or track:
        html = rendered.body_html or text_to_html(body)
        if link not in html:
            html += f'\n<p style="font-size:small"><a href="{link}">Unsubscribe</a></p>'
        if track:
            html = add_tracking(html, claimed.tracking_token)
        message.attach_alternative(html, "text/html")
    return message


def deliver(claimed_list: list[Claimed]) -> int:
    """Send claimed steps through the email backend, marking deliveries sent or failed; return how many sent."""
    if not claimed_list:
        return 0
    sent: list[tuple[Claimed, str]] = []
    erased = suppressed_among([claimed.lead.email for claimed in claimed_list])
    mail = get_connection()
    try:
        mail.open()
        for claimed in claimed_list:
            if claimed.lead.email in erased:
                logger.warning("nurture delivery %s refused: the recipient was erased", claimed.delivery_id)
                Delivery.objects.filter(pk=claimed.delivery_id).update(
                    status=Delivery.Status.FAILED, error="The recipient asked to be erased."
                )
                continue
            message = build_message(claimed, connection=mail)
            try:
                mail.send_messages([message])
            except Exception as exc:  # any backend error: the step is not retried (see the module docstring)
                logger.warning("nurture delivery %s failed: %s", claimed.delivery_id, exc)
                Delivery.objects.filter(pk=claimed.delivery_id).update(
                    status=Delivery.Status.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000]
                )
                continue
            sent.append((claimed, message.subject))
            if len(sent) % MARK_EVERY == 0:
                _mark_sent(sent[-MARK_EVERY:])
        if len(sent) % MARK_EVERY:
            _mark_sent(sent[-(len(sent) % MARK_EVERY) :])
    finally:
        mail.close()
    return len(sent)


@transaction.atomic
def _mark_sent(sent: list[tuple[Claimed, str]]) -> None:
    _commit_without_waiting_for_disk()
    Delivery.objects.filter(pk__in=[claimed.delivery_id for claimed, _ in sent]).update(
        status=Delivery.Status.SENT, sent_at=timezone.now()
    )
    record_events(
        Event(
            kind="nurture_email",
            summary=f"Nurture email sent: {subject}"[:500],
            lead_id=claimed.lead.pk,
            data={
                "sequence": claimed.sequence.pk,
                "step": claimed.step.pk,
                "step_order": claimed.step.order,
                "delivery": claimed.delivery_id,
                "message_id": claimed.message_id,
            },
        )
        for claimed, subject in sent
    )
    _tag_campaign_members(sent)


def _commit_without_waiting_for_disk() -> None:
    """PostgreSQL: let this transaction's COMMIT return before its WAL reaches the disk.

    Only for confirming sends. A database crash may lose the last fraction of a second of such commits: those
    deliveries stay "sending" and become "unknown", exactly as if the sender had died — never sent again. The
    claim (the delivery row, the enrollment advanced) is committed durably before any email leaves.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _tag_campaign_members(sent: list[tuple[Claimed, str]]) -> None:
    """Make the leads just sent a step members (`sent`) of their sequence's campaign, one insert per campaign."""
    by_campaign: dict[int, set[int]] = {}
    for claimed, _subject in sent:
        if claimed.sequence.campaign_id is not None:
            by_campaign.setdefault(claimed.sequence.campaign_id, set()).add(claimed.lead.pk)
    for campaign_id, lead_ids in by_campaign.items():
        tag_leads_with_campaign(lead_ids, Campaign(pk=campaign_id), status=CampaignMember.Status.SENT, by=None)


def send_due_steps(*, batch_size: int | None = None, time_budget: float | None = None) -> int:
    """Claim and send due steps batch by batch until none is due (or the time budget is spent); return how many sent."""
    started = time.monotonic()
    sent = 0
    while True:
        result = claim_due_batch(batch_size=batch_size)
        if not result.processed:
            return sent
        sent += deliver(result.to_send)
        if time_budget is not None and time.monotonic() - started > time_budget:
            return sent


def mark_stale_deliveries_unknown(*, older_than: timedelta = STALE_SENDING_AFTER) -> int:
    """Turn deliveries left "sending" by a sender that died into "unknown"; they are never resent."""
    return Delivery.objects.filter(status=Delivery.Status.SENDING, created_at__lt=timezone.now() - older_than).update(
        status=Delivery.Status.UNKNOWN, error="The sender stopped before confirming; not resent."
    )
