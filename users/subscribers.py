"""How users react to the events of the apps below: the security log."""

from __future__ import annotations

from core.events import CoreEvent, Event, subscribe
from users.audit import record_security_event
from users.models import SecurityEvent, User


@subscribe(CoreEvent.PERMISSION_DENIED, inline=True)
def log_permission_denied(event: Event) -> None:
    """Write the refused request to the security log, in the request's own transaction."""
    user = User.objects.filter(pk=event.by_id).first() if event.by_id else None
    record_security_event(
        SecurityEvent.Kind.PERMISSION_DENIED,
        user=user,
        detail=event.data["detail"],
        ip_address=event.data["ip_address"],
        path=event.data["path"],
    )
