"""How long security events (sign-ins, failures, refusals) are kept."""

from __future__ import annotations

from core.services import delete_in_batches
from users.models import SecurityEvent


def purge_security_events_before(cutoff) -> int:
    """Delete the security events recorded before `cutoff`; return how many."""
    return delete_in_batches(SecurityEvent.objects.filter(created_at__lt=cutoff))
