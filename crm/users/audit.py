"""Record security events; Django's auth signals feed sign-in successes and failures here."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from crm.users.models import SecurityEvent


def client_ip(request) -> str | None:
    """Return the client's address: REMOTE_ADDR, or the entry the nearest of FUNNEL_PROXY_COUNT trusted proxies added."""
    if request is None:
        return None
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.FUNNEL_PROXY_COUNT
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies <= 0 or not forwarded:
        return remote
    # Each trusted proxy appends what it saw; entries to the left of theirs are whatever the client sent.
    return forwarded[-min(proxies, len(forwarded))]


def record_security_event(kind: str, *, request=None, user=None, username: str = "", detail: str = "") -> SecurityEvent:
    """Append one security event with the request's client address and path."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or getattr(user, "username", "") or "")[:150],
        ip_address=client_ip(request),
        path=(request.path if request is not None else "")[:255],
        detail=detail[:500],
    )


@receiver(user_logged_in, dispatch_uid="funnel-audit-login")
def _on_login(sender, request, user, **kwargs):
    record_security_event(SecurityEvent.Kind.LOGIN_SUCCEEDED, request=request, user=user)


@receiver(user_logged_out, dispatch_uid="funnel-audit-logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record_security_event(SecurityEvent.Kind.LOGGED_OUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="funnel-audit-login-failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    record_security_event(SecurityEvent.Kind.LOGIN_FAILED, request=request, username=credentials.get("username", ""))
