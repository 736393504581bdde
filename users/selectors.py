"""Reads that span the security log and the users it is about."""

from __future__ import annotations

from django.db.models import Q

from users.models import SecurityEvent, User


def list_security_events_of(user: User, *, by: User, limit: int = 20) -> list[SecurityEvent]:
    """Return `user`'s latest security events visible to `by`, newest first: sign-ins, sign-outs, two-factor changes,
    and failed sign-ins, including those under their username that matched no password (logged without a user)."""
    about_user = Q(user=user) | Q(user__isnull=True, kind=SecurityEvent.Kind.LOGIN_FAILED, username=user.username)
    return list(SecurityEvent.objects.visible_to(by).filter(about_user).order_by("-created_at", "-id")[:limit])
