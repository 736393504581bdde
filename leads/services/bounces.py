"""A lead's email address bounces: the mail provider reported a permanent failure or a spam complaint.

The first report is kept (when and which kind); a later one changes nothing. Like an unsubscribe it is never
refused, not even for a converted lead: it is a fact about the address, not an edit of the lead. Nurture reacts
(no more steps or emails from the record) through `LeadEvent.UPDATED` and its own exit conditions.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from activities.services import record_event
from core.events import publish
from leads.events import LeadEvent
from leads.models import Lead

FIELDS = ["email_bounced_at", "email_bounce_kind", "updated_at"]


@transaction.atomic
def mark_email_bounced(lead: Lead, *, kind: str, at: datetime) -> bool:
    """Record that `lead`'s address bounced (`kind`: Lead.BounceKind) at `at`; return False when already marked.

    Raises:
        ValueError: `kind` is not a Lead.BounceKind.
    """
    kind = Lead.BounceKind(kind)
    lead = Lead.objects.select_for_update(of=("self",)).filter(pk=lead.pk).first()
    if lead is None or lead.email_bounced_at is not None:
        return False
    lead.email_bounced_at, lead.email_bounce_kind = at, kind.value
    lead.save(update_fields=FIELDS)
    summary = "Email address bounced" if kind == Lead.BounceKind.BOUNCE else "Email marked as spam by the lead"
    record_event("email_bounced", f"{summary}: {lead.email}", lead=lead, data={"kind": kind.value})
    publish(LeadEvent.UPDATED, lead, data={"fields": ["email_bounce_kind", "email_bounced_at"]})
    return True
