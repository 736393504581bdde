"""Until a sign-in has given its second factor, its session reaches only the code page and signing out.

A user with two-factor sign-in owes the code from the password step on (`users.devices.begin_second_factor`); with
FUNNEL_REQUIRE_2FA_FOR_ADMINS on, an admin without it owes the set-up. API tokens are their own factor: a request
that authenticates with one is not held here, and neither is the token-only Salesforce-compatible API.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.urls import reverse

from users.devices import has_two_factor, second_factor_pending

VERIFY_URL = "users:two_factor_verify"
SETUP_URL = "users:two_factor"


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._hold(request) or self.get_response(request)

    def _owed_step(self, request) -> str | None:
        """The page a signed-in but not yet verified session must finish first, if any."""
        if settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return None  # no session: nothing was signed in by password (API tokens, public pages)
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        if second_factor_pending(request):
            return VERIFY_URL
        if settings.FUNNEL_REQUIRE_2FA_FOR_ADMINS and user.is_admin:
            return VERIFY_URL if has_two_factor(user) else SETUP_URL
        return None

    def _hold(self, request):
        path = request.path
        if path.startswith(("/static/", "/services/")) or path == "/favicon.ico":
            return None
        if path.startswith("/api/") and request.headers.get("Authorization", "").startswith("Token "):
            return None  # the API authenticates it by its token (or answers 401), never by the session
        step = self._owed_step(request)
        if step is None:
            return None
        allowed = {reverse(step), reverse("logout"), reverse("admin:logout")}
        if step == SETUP_URL:
            allowed |= {reverse("users:two_factor_setup"), reverse("users:two_factor_confirm")}
        if path in allowed:
            return None
        if path.startswith("/api/"):
            response = JsonResponse(
                {
                    "code": "two_factor_required",
                    "detail": "Finish two-factor sign-in in the browser first (or use an API token).",
                },
                status=401,
            )
            response["WWW-Authenticate"] = "Token"
            return response
        return redirect_to_login(request.get_full_path(), reverse(step))
