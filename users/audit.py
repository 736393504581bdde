"""Record security events; Django's auth signals feed sign-in successes and failures here (and a sign-in of a user with
two-factor sign-in starts owing its second factor)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

from core.http import client_ip
from users.devices import begin_second_factor
from users.models import SecurityEvent


def record_security_event(
    kind: str, *, request=None, user=None, username: str = "", detail: str = "", ip_address=None, path: str = ""
) -> SecurityEvent:
    """Append one security event with the client address and path (of `request`, when given)."""
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    return SecurityEvent.objects.create(
        kind=kind,
        user=user,
        username=(username or getattr(user, "username", "") or "")[:150],
        ip_address=client_ip(request) if request is not None else ip_address,
        path=(request.path if request is not None else path)[:255],
        detail=detail[:500],
    )


@receiver(user_logged_in, dispatch_uid="funnel-audit-login")
def _on_login(sender, request, user, **kwargs):
    pending = request is not None and begin_second_factor(request, user)
    detail = "password accepted; waiting for the second factor" if pending else ""
    record_security_event(SecurityEvent.Kind.LOGIN_SUCCEEDED, request=request, user=user, detail=detail)


@receiver(user_logged_out, dispatch_uid="funnel-audit-logout")
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        record_security_event(SecurityEvent.Kind.LOGGED_OUT, request=request, user=user)


@receiver(user_login_failed, dispatch_uid="funnel-audit-login-failed")
def _on_login_failed(sender, credentials, request=None, **kwargs):
    record_security_event(SecurityEvent.Kind.LOGIN_FAILED, request=request, username=credentials.get("username", ""))


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out sign-in gets (django-axes): JSON for the API, the page for browsers; both 429 + Retry-After.

    API.md promises integrators `{"code", "detail"}` and `Retry-After` on every 429, the token endpoint included.
    """
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if request.path.startswith("/api/"):
        minutes = max(1, round(seconds / 60))
        response = JsonResponse(
            {"code": "throttled", "detail": f"Too many failed sign-ins: try again in {minutes} minutes."}, status=429
        )
    else:
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, status=429)
    response["Retry-After"] = str(seconds)
    return response
