"""How leads react to the events of the apps below them."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.dateparse import parse_datetime

from activities.events import ActivityEvent
from core.events import Event, subscribe
from leads.models import Lead
from leads.services.capture import change_lead_status, touch_leads


@subscribe(ActivityEvent.LOGGED, inline=True)
def note_lead_activity(event: Event) -> None:
    """A logged activity is the lead's latest activity, in the logging transaction."""
    touch_leads(list(event.record_ids), at=parse_datetime(event.data["at"]))


@subscribe(ActivityEvent.LOGGED)
def start_working_on_connected_call(event: Event) -> None:
    """A connected call moves a new lead to working, as if the caller had set the status."""
    if event.data.get("call_outcome") != "connected":
        return
    by = get_user_model().objects.filter(pk=event.by_id).first() if event.by_id else None
    for lead in Lead.objects.filter(pk__in=event.record_ids, status=Lead.Status.NEW).order_by("pk"):
        change_lead_status(lead, to=Lead.Status.WORKING, by=by, reason="Connected call", only_from=Lead.Status.NEW)
