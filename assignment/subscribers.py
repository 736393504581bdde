"""How assignment reacts to the events of the apps below it: an unowned lead is handed to the rules."""

from __future__ import annotations

from assignment.tasks import assign_lead_task
from core.events import Event, subscribe
from leads.events import LeadEvent
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
