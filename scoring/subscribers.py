"""How scoring reacts to the events of the apps below it: a lead whose facts or engagement changed is rescored."""

from __future__ import annotations

from activities.events import ActivityEvent
from core.events import Event, subscribe
from leads.events import LeadEvent
from scoring.events import ScoringEvent
from scoring.rules import ENGAGEMENT_KINDS, SCORED_FIELDS
from scoring.selectors import TERMINAL, get_active_conversion_model
from scoring.tasks import predict_leads_task, rescore_all_leads_bulk_task, score_lead_task


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


# What the predictive model reads (scoring.predictive.features): these lead fields, engagement, and the first touch.
PREDICTIVE_FIELDS = frozenset({"source", "industry", "employees", "country", "title", "email"})
PREDICTIVE_KINDS = frozenset(ENGAGEMENT_KINDS) | {"email"}


def _changes_prediction(event: Event) -> bool:
    if event.kind in (ActivityEvent.RECORDED, ActivityEvent.LOGGED):
        return event.data.get("kind") in PREDICTIVE_KINDS
    if event.kind == LeadEvent.UPDATED:
        return bool(PREDICTIVE_FIELDS.intersection(event.data.get("fields", ())))
    if event.kind == LeadEvent.STATUS_CHANGED:  # the status is no feature: only opening or closing a lead matters
        return bool({event.data.get("from"), event.data.get("to")} & set(TERMINAL))
    return event.kind == LeadEvent.CONVERTED


# Inline: it decides in the writer's transaction (no query unless the change matters) and enqueues only after
# commit, so writes that cannot change a prediction — or happen while no model is trained — add no callback.
@subscribe(
    ActivityEvent.RECORDED,
    ActivityEvent.LOGGED,
    LeadEvent.UPDATED,
    LeadEvent.STATUS_CHANGED,
    LeadEvent.CONVERTED,
    inline=True,
)
def refresh_predictions(event: Event) -> None:
    """Refresh the conversion probability of leads whose engagement, touches or facts changed, or that closed or
    reopened (a closed lead's prediction is cleared), after commit — only while a predictive model is active.
    New leads are predicted by the nightly refresh (`predict-open-leads-nightly`)."""
    if event.record_ids and _changes_prediction(event) and get_active_conversion_model() is not None:
        predict_leads_task.delay_on_commit(list(event.record_ids))
