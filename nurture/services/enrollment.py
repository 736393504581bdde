"""Writes on enrollments: enrol by hand or by rule, stop on exit conditions, unsubscribe."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone

from activities.models import Activity, Event
from activities.services import record_event, record_events
from leads.models import Lead
from nurture.exceptions import LeadAlreadyEnrolled, LeadNotEnrollable, SequenceNotEnrollable
from nurture.models import Enrollment, RecordEmail, Sequence, Step
from nurture.reachability import unreachable
from nurture.schedule import Window, step_due_at
from users.models import User

logger = logging.getLogger(__name__)

Reason = Enrollment.StopReason
# Activities that count as the lead answering: a logged email (a reply) or a meeting.
REPLY_KINDS = (Activity.Kind.EMAIL, Activity.Kind.MEETING)
# How many leads one sweep enrols per sequence; the next sweep takes the rest.
SWEEP_BATCH = 500


def exit_reason(lead: Lead, sequence: Sequence, *, replied: bool = False) -> str:
    """Return why `lead` must not (or no longer) receive `sequence`, or "" when it may."""
    if lead.status == Lead.Status.CONVERTED:
        return Reason.CONVERTED
    if blocked := unreachable(lead):
        return blocked
    if sequence.exit_on_status_change and lead.status in (Lead.Status.QUALIFIED, Lead.Status.UNQUALIFIED):
        return lead.status
    if sequence.exit_on_mql and lead.mql_at is not None:
        return Reason.MQL
    if sequence.exit_on_reply and replied:
        return Reason.REPLIED
    return ""


def replied_since(pairs: list[tuple[int, datetime]]) -> set[int]:
    """Return the lead ids among (lead_id, since) pairs with an email or meeting logged after `since`.

    An email a rep sent from the lead's page is the rep writing, not the lead answering: it does not count.
    """
    if not pairs:
        return set()
    latest = dict(
        Activity.objects.filter(lead_id__in={lead_id for lead_id, _ in pairs}, kind__in=REPLY_KINDS)
        .exclude(Exists(RecordEmail.objects.filter(activity_id=OuterRef("pk"))))
        .values("lead_id")
        .annotate(latest=Max("created_at"))
        .values_list("lead_id", "latest")
    )
    return {lead_id for lead_id, since in pairs if lead_id in latest and latest[lead_id] > since}


def matches_trigger(lead: Lead, sequence: Sequence) -> bool:
    """Return whether `lead` meets `sequence`'s enrollment rule (a manual sequence matches nobody)."""
    trigger = sequence.trigger
    if trigger == Sequence.Trigger.STATUS_NURTURING:
        return lead.status == Lead.Status.NURTURING
    if trigger == Sequence.Trigger.SCORE_BAND:
        low = sequence.trigger_score_min if sequence.trigger_score_min is not None else 0
        high = sequence.trigger_score_max if sequence.trigger_score_max is not None else 100
        return low <= lead.score <= high
    if trigger == Sequence.Trigger.SOURCE:
        return lead.source == sequence.trigger_source
    return False


def trigger_filter(sequence: Sequence) -> Q | None:
    """Return `matches_trigger` as a lead filter, or None for a manual sequence."""
    trigger = sequence.trigger
    if trigger == Sequence.Trigger.STATUS_NURTURING:
        return Q(status=Lead.Status.NURTURING)
    if trigger == Sequence.Trigger.SCORE_BAND:
        condition = Q()
        if sequence.trigger_score_min is not None:
            condition &= Q(score__gte=sequence.trigger_score_min)
        if sequence.trigger_score_max is not None:
            condition &= Q(score__lte=sequence.trigger_score_max)
        return condition
    if trigger == Sequence.Trigger.SOURCE:
        return Q(source=sequence.trigger_source)
    return None


def _first_step(sequence: Sequence) -> Step:
    step = sequence.steps.order_by("order", "id").first()
    if step is None:
        raise SequenceNotEnrollable(reason="it has no steps")
    return step


def _new_enrollment(lead: Lead, sequence: Sequence, first: Step, *, by: User | None, now: datetime) -> Enrollment:
    return Enrollment(
        lead=lead,
        sequence=sequence,
        current_step=first,
        next_send_at=step_due_at(
            now, delay_days=first.delay_days, delay_hours=first.delay_hours, window=Window.of(sequence)
        ),
        enrolled_by=by,
    )


@transaction.atomic
def enroll_lead(lead: Lead, *, sequence: Sequence, by: User | None) -> Enrollment:
    """Enrol `lead` in `sequence` by hand; its first step is scheduled in the sending window.

    Raises:
        LeadNotEnrollable: converted, unsubscribed, do-not-contact, no email or an exit condition holds.
        SequenceNotEnrollable: the sequence is inactive or has no steps.
        LeadAlreadyEnrolled: an active or paused enrollment in this sequence exists.
    """
    lead = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    sequence = Sequence.objects.get(pk=sequence.pk)
    if not sequence.active:
        raise SequenceNotEnrollable(reason="it is inactive")
    reason = exit_reason(lead, sequence)
    if reason:
        raise LeadNotEnrollable(reason=Reason(reason).label.lower(), field="lead")
    if Enrollment.objects.open().filter(lead=lead, sequence=sequence).exists():
        raise LeadAlreadyEnrolled()
    enrollment = _new_enrollment(lead, sequence, _first_step(sequence), by=by, now=timezone.now())
    enrollment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        raise LeadAlreadyEnrolled() from None
    record_event(
        "nurture_enrolled",
        f"Enrolled in nurture sequence “{sequence.name}”",
        by=by,
        lead=lead,
        data={"sequence": sequence.pk, "enrollment": enrollment.pk},
    )
    return enrollment


@transaction.atomic
def stop_enrollments(lead_id: int, *, reason: str, by: User | None = None) -> int:
    """Stop every active or paused enrollment of a lead with `reason`; return how many stopped."""
    Lead.objects.select_for_update(of=("self",)).filter(pk=lead_id).first()
    enrollments = list(Enrollment.objects.open().filter(lead_id=lead_id).select_related("sequence"))
    if not enrollments:
        return 0
    now = timezone.now()
    Enrollment.objects.filter(pk__in=[e.pk for e in enrollments]).update(
        status=Enrollment.Status.STOPPED, stop_reason=reason, next_send_at=None, ended_at=now, updated_at=now
    )
    record_events(
        Event(
            kind="nurture_stopped",
            summary=f"Nurture “{e.sequence.name}” stopped: {Reason(reason).label.lower()}"[:500],
            actor=by,
            lead_id=lead_id,
            data={"sequence": e.sequence_id, "enrollment": e.pk, "reason": reason},
        )
        for e in enrollments
    )
    return len(enrollments)


@transaction.atomic
def stop_enrollment(enrollment: Enrollment, *, by: User | None) -> Enrollment:
    """Stop one enrollment by hand; stopping it again changes nothing."""
    Lead.objects.select_for_update(of=("self",)).filter(pk=enrollment.lead_id).first()
    enrollment = Enrollment.objects.select_for_update(of=("self",)).get(pk=enrollment.pk)
    if enrollment.status in (Enrollment.Status.ACTIVE, Enrollment.Status.PAUSED):
        enrollment.status = Enrollment.Status.STOPPED
        enrollment.stop_reason = Reason.MANUAL
        enrollment.next_send_at = None
        enrollment.ended_at = timezone.now()
        enrollment.save(update_fields=["status", "stop_reason", "next_send_at", "ended_at", "updated_at"])
        record_event(
            "nurture_stopped",
            f"Nurture “{enrollment.sequence.name}” stopped by hand",
            by=by,
            lead_id=enrollment.lead_id,
            data={"sequence": enrollment.sequence_id, "enrollment": enrollment.pk, "reason": Reason.MANUAL},
        )
    return enrollment


@transaction.atomic
def stop_enrollment_for(enrollment_id: int, *, reason: str) -> bool:
    """Stop one open enrollment because an exit condition of its sequence was met (e.g. a click); False when it
    was no longer open."""
    enrollment = Enrollment.objects.select_related("sequence").filter(pk=enrollment_id).first()
    if enrollment is None:
        return False
    Lead.objects.select_for_update(of=("self",)).filter(pk=enrollment.lead_id).first()
    now = timezone.now()
    changes = {"status": Enrollment.Status.STOPPED, "stop_reason": reason, "next_send_at": None}
    if not Enrollment.objects.open().filter(pk=enrollment_id).update(**changes, ended_at=now, updated_at=now):
        return False
    record_event(
        "nurture_stopped",
        f"Nurture “{enrollment.sequence.name}” stopped: {Reason(reason).label.lower()}",
        lead_id=enrollment.lead_id,
        data={"sequence": enrollment.sequence_id, "enrollment": enrollment.pk, "reason": reason},
    )
    return True


@transaction.atomic
def apply_exit_conditions(lead_id: int) -> int:
    """Stop the enrollments of a lead whose exit conditions now hold; return how many stopped."""
    lead = Lead.objects.select_for_update(of=("self",)).filter(pk=lead_id).first()
    if lead is None:
        return 0
    stopped = 0
    enrollments = list(Enrollment.objects.open().filter(lead_id=lead_id).select_related("sequence"))
    now = timezone.now()
    for enrollment in enrollments:
        has_replied = enrollment.sequence.exit_on_reply and bool(replied_since([(lead_id, enrollment.created_at)]))
        reason = exit_reason(lead, enrollment.sequence, replied=has_replied)
        if not reason:
            continue
        Enrollment.objects.filter(pk=enrollment.pk).update(
            status=Enrollment.Status.STOPPED, stop_reason=reason, next_send_at=None, ended_at=now, updated_at=now
        )
        record_event(
            "nurture_stopped",
            f"Nurture “{enrollment.sequence.name}” stopped: {Reason(reason).label.lower()}",
            lead=lead,
            data={"sequence": enrollment.sequence_id, "enrollment": enrollment.pk, "reason": reason},
        )
        stopped += 1
    return stopped


def enroll_lead_by_rules(lead_id: int) -> list[Enrollment]:
    """Enrol a lead in every active rule-based sequence it matches and was never enrolled in."""
    lead = Lead.objects.filter(pk=lead_id).first()
    if lead is None:
        return []
    seen = set(Enrollment.objects.filter(lead_id=lead_id).values_list("sequence_id", flat=True))
    created = []
    for sequence in Sequence.objects.active().exclude(trigger=Sequence.Trigger.MANUAL).exclude(pk__in=seen):
        if not matches_trigger(lead, sequence) or exit_reason(lead, sequence):
            continue
        try:
            created.append(enroll_lead(lead, sequence=sequence, by=None))
        except (LeadNotEnrollable, LeadAlreadyEnrolled, SequenceNotEnrollable):
            continue  # the lead changed meanwhile, or another worker enrolled it first
    return created


def sweep_rule_enrollments(*, limit: int = SWEEP_BATCH) -> int:
    """Enrol, set-based, leads that match a rule-based sequence but were missed; return how many were enrolled."""
    total = 0
    now = timezone.now()
    for sequence in Sequence.objects.active().exclude(trigger=Sequence.Trigger.MANUAL):
        first = sequence.steps.order_by("order", "id").first()
        condition = trigger_filter(sequence)
        if first is None or condition is None:
            continue
        exits = (
            Q(status=Lead.Status.CONVERTED)
            | Q(unsubscribed_at__isnull=False)
            | Q(do_not_contact=True)
            | Q(email_bounced_at__isnull=False)
            | Q(email="")
        )
        if sequence.exit_on_status_change:
            exits |= Q(status__in=[Lead.Status.QUALIFIED, Lead.Status.UNQUALIFIED])
        if sequence.exit_on_mql:
            exits |= Q(mql_at__isnull=False)
        with transaction.atomic():
            # One sweeper per sequence at a time (beat started twice, a manual run): the second waits, then its
            # query no longer sees the leads the first enrolled, so no lead gets a second "enrolled" event.
            Sequence.objects.select_for_update().filter(pk=sequence.pk).first()
            leads = list(
                Lead.objects.filter(condition)
                .exclude(exits)
                .exclude(pk__in=Enrollment.objects.filter(sequence=sequence).values("lead_id"))
                .order_by("pk")[:limit]
            )
            if not leads:
                continue
            rows = Enrollment.objects.bulk_create(
                [_new_enrollment(lead, sequence, first, by=None, now=now) for lead in leads], ignore_conflicts=True
            )
            record_events(
                Event(
                    kind="nurture_enrolled",
                    summary=f"Enrolled in nurture sequence “{sequence.name}”"[:500],
                    lead=lead,
                    data={"sequence": sequence.pk},
                )
                for lead in leads
            )
        total += len(rows)
    return total
