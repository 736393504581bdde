"""Receivers of the lead services' custom signals (leads/signals.py).

They hold no domain logic: each only enqueues a nurture task after the lead's transaction
commits. Leads cannot import nurture (imports run nurture → leads), so this is how a lead's
status, score or conversion reaches nurture.
"""

from __future__ import annotations

from nurture.models import Enrollment


def on_lead_changed(sender, lead, **kwargs) -> None:
    from nurture.tasks import evaluate_lead_nurture_task

    evaluate_lead_nurture_task.delay_on_commit(lead.pk)


def on_lead_converted(sender, lead, **kwargs) -> None:
    from nurture.tasks import stop_lead_nurture_task

    stop_lead_nurture_task.delay_on_commit(lead.pk, Enrollment.StopReason.CONVERTED.value)


def connect() -> None:
    from leads import signals

    for signal in (signals.lead_captured, signals.lead_status_changed, signals.lead_score_changed):
        signal.connect(on_lead_changed, dispatch_uid=f"nurture.{id(signal)}")
    signals.lead_converted.connect(on_lead_converted, dispatch_uid="nurture.lead_converted")
