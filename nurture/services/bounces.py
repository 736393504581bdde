"""Bounces and spam complaints: the provider says an address must not be emailed again.

Every lead with the address (converted ones too: the address is what bounces) is marked bouncing through
`leads.services.bounces.mark_email_bounced` (its timeline gets an "email_bounced" event; the first report is kept)
and its nurture stops at once (reason "bounced"). From then on no step, no email from the record and no tracking
reaches it: `exit_reason`, `refusal_reason` and `tracking_allowed` all refuse a bouncing lead. A repeat report
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from leads.models import Lead
from leads.services.bounces import mark_email_bounced
from nurture.bounces import Bounce
from nurture.models import Enrollment
from nurture.services.enrollment import stop_enrollments


@dataclass
class BounceResult:
    bounce: Bounce
    leads: list[int] = field(default_factory=list)
    marked: int = 0

    def as_json(self) -> dict:
        if self.bounce.ignored:
            return {"bounce": False, "ignored": self.bounce.ignored}
        return {"bounce": True, "kind": self.bounce.kind, "leads": self.leads, "marked": self.marked}


@transaction.atomic
def receive_bounce(bounce: Bounce) -> BounceResult:
    """Mark the leads with the bounced address and stop their nurture; an ignored report writes nothing."""
    result = BounceResult(bounce=bounce)
    if bounce.ignored:
        return result
    for lead in Lead.objects.filter(email=bounce.email).order_by("pk"):
        result.leads.append(lead.pk)
        result.marked += mark_email_bounced(lead, kind=bounce.kind, at=bounce.at)
        stop_enrollments(lead.pk, reason=Enrollment.StopReason.BOUNCED)
    return result
