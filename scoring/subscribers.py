"""How scoring reacts to the events of the apps below it: a lead whose facts or engagement changed is rescored."""

from __future__ import annotations

from activities.events import ActivityEvent
from core.events import Event, subscribe
from leads.events import LeadEvent
from scoring.events import ScoringEvent
from scoring.rules import ENGAGEMENT_KINDS, SCORED_FIELDS
from scoring.tasks import rescore_all_leads_bulk_task, score_lead_task


@subscribe(LeadEvent.CREATED)
def score_new_lead(event: Event) -> None:
    """Score a new lead."""
    score_lead_task.delay_on_commit(event.record_id)


@subscribe(LeadEvent.UPDATED)
def rescore_changed_lead(event: Event) -> None:
    """Rescore a lead when a field the rules look at changed."""
    if SCORED_FIELDS.intersection(event.data.get("fields", ())):
        score_lead_task.delay_on_commit(event.record_id)


@subscribe(ActivityEvent.RECORDED, ActivityEvent.LOGGED)
def rescore_engaged_leads(event: Event) -> None:
    """Rescore the leads of a timeline entry that counts as engagement (a call, a click, a form …)."""
    if event.data.get("kind") in ENGAGEMENT_KINDS:
        for lead_id in event.record_ids:
            score_lead_task.delay_on_commit(lead_id)


@subscribe(ScoringEvent.RULES_CHANGED)
def rescore_everyone(event: Event) -> None:
    """Rescore every lead with the new rules (the run that used the old ones was superseded)."""
    rescore_all_leads_bulk_task.delay_on_commit()
