"""Unsubscribe: the one write a public, unauthenticated request may make."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from activities.services import record_event
from leads.models import Lead
from nurture.models import Enrollment
from nurture.services.enrollment import stop_enrollments


@transaction.atomic
def unsubscribe_lead(lead_id: int, *, channel: str) -> Lead | None:
    """Stamp `unsubscribed_at` once, stop all of the lead's nurture and record it; a repeat changes nothing.

    A converted lead may still unsubscribe: opting out of email is never refused.
    """
    lead = Lead.objects.select_for_update(of=("self",)).filter(pk=lead_id).first()
    if lead is None:
        return None
    if lead.unsubscribed_at is None:
        lead.unsubscribed_at = timezone.now()
        # A queryset update: converted leads are read-only to edits, but not to an opt-out.
        Lead.objects.filter(pk=lead.pk).update(unsubscribed_at=lead.unsubscribed_at, updated_at=lead.unsubscribed_at)
        record_event(
            "unsubscribed",
            "Unsubscribed from email" + (" (one-click)" if channel == "one_click" else ""),
            lead=lead,
            data={"channel": channel},
        )
    stop_enrollments(lead.pk, reason=Enrollment.StopReason.UNSUBSCRIBED)
    return lead
