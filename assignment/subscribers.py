"""How assignment reacts to events: an unowned lead is handed to the rules; owners and managers are told."""

from __future__ import annotations

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from activities.events import ActivityEvent
from assignment.events import AssignmentEvent
from assignment.services.sla import TOUCH_KINDS, stamp_first_touch, start_sla_clocks
from assignment.tasks import (
    assign_lead_task,
    notify_assignment_failed_task,
    notify_new_owner_digest_task,
    notify_new_owner_task,
)
from core.events import Event, subscribe
from leads.events import LeadEvent
from leads.models import Lead
from scoring.events import ScoringEvent


@subscribe(LeadEvent.CREATED)
def assign_new_lead(event: Event) -> None:
    """Run the rules on a lead created without an owner."""
    if event.data.get("owner") is None:
        assign_lead_task.delay_on_commit(event.record_id)


@subscribe(ScoringEvent.REACHED_MQL)
def assign_new_mql(event: Event) -> None:
    """Run the rules on one lead that just became an MQL without an owner (a rule may route by score).

    A bulk rescore's batch enqueues nothing per lead: the unassigned-leads sweeper (every minute, one set-based
    pass) assigns the unowned ones, so a million-lead rescore never floods the broker.
    """
    if len(event.record_ids) == 1 and "owner" in event.data and event.data["owner"] is None:
        assign_lead_task.delay_on_commit(event.record_id)


@subscribe(AssignmentEvent.ASSIGNED)
def tell_new_owner(event: Event) -> None:
    """Email the new owner: about the lead, or one digest of a bulk pass's leads."""
    if event.data.get("digest"):
        notify_new_owner_digest_task.delay_on_commit(event.data["owner"], list(event.record_ids))
    else:
        notify_new_owner_task.delay_on_commit(event.record_id, event.data["owner"])


@subscribe(AssignmentEvent.FAILED)
def tell_managers_nobody_could_take(event: Event) -> None:
    """Email the managers responsible for leads nobody could take."""
    notify_assignment_failed_task.delay_on_commit(list(event.record_ids))


@subscribe(AssignmentEvent.ASSIGNED, inline=True)
def start_first_touch_clock(event: Event) -> None:
    """Start (or restart) the leads' first-touch clock in the assigning transaction; a breach's handover keeps it."""
    if not event.data.get("sla_breach"):
        start_sla_clocks(list(event.record_ids))


@subscribe(ActivityEvent.LOGGED, inline=True)
def stop_clock_on_contact(event: Event) -> None:
    """A call, email or meeting logged on a lead is its first touch."""
    if event.data.get("kind") in TOUCH_KINDS:
        stamp_first_touch(list(event.record_ids), at=parse_datetime(event.data["at"]))


@subscribe(LeadEvent.STATUS_CHANGED, inline=True)
def stop_clock_on_working(event: Event) -> None:
    """A lead moved to working has been touched."""
    if event.data.get("to") == Lead.Status.WORKING:
        stamp_first_touch(list(event.record_ids), at=timezone.now())
