"""How leads react to the events of the apps below them."""

from __future__ import annotations

from django.utils.dateparse import parse_datetime

from activities.events import ActivityEvent
from core.events import Event, subscribe
from leads.services.capture import touch_leads


@subscribe(ActivityEvent.LOGGED, inline=True)
def note_lead_activity(event: Event) -> None:
    """A logged activity is the lead's latest activity, in the logging transaction."""
    touch_leads(list(event.record_ids), at=parse_datetime(event.data["at"]))
