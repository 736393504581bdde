"""How nurture reacts to the events of the apps below it: enrolment by rule, exits, and stops on conversion.

Reactions only enqueue a nurture task; the task re-reads the lead and decides.
"""

from __future__ import annotations

from core.events import Event, subscribe
from leads.events import LeadEvent
from nurture.events import NurtureEvent
from nurture.models import Enrollment
from nurture.tasks import evaluate_lead_nurture_task, send_record_email_task, stop_lead_nurture_task
from scoring.events import ScoringEvent


@subscribe(LeadEvent.CREATED, LeadEvent.UPDATED, LeadEvent.STATUS_CHANGED, ScoringEvent.SCORE_CHANGED)
def evaluate_changed_lead(event: Event) -> None:
    """Enrol the lead by the sequences' rules, or end enrolments whose exit conditions it now meets."""
    evaluate_lead_nurture_task.delay_on_commit(event.record_id)


@subscribe(LeadEvent.CONVERTED)
def stop_converted_lead(event: Event) -> None:
    """End the converted lead's active enrolments."""
    stop_lead_nurture_task.delay_on_commit(event.record_id, Enrollment.StopReason.CONVERTED.value)


@subscribe(NurtureEvent.RECORD_EMAIL_QUEUED)
def send_queued_record_email(event: Event) -> None:
    """Send the email a person just wrote on a record's page."""
    send_record_email_task.delay_on_commit(event.record_id)
