"""Turn a lost database connection into a clean 503 instead of a 500, wherever in the request it is noticed; end
browser sessions left idle."""

from __future__ import annotations

import logging
import sys
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
UNAVAILABLE_DETAIL = "The database is unavailable; try again shortly."
# When the session's last request came, in Unix seconds.
LAST_SEEN_SESSION_KEY = "_funnel_last_seen"


def drop_broken_connections() -> None:
    """Close database connections that no longer work, so the next query opens a fresh one."""
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """The 503 a client sees while the database is unreachable: JSON under /api/, a short page elsewhere."""
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "service_unavailable", "detail": UNAVAILABLE_DETAIL}, status=503)
    else:
        response = HttpResponse(
            f"<!doctype html><title>Temporarily unavailable</title><h1>Temporarily unavailable</h1><p>{UNAVAILABLE_DETAIL}</p>",
            status=503,
        )
    response["Retry-After"] = "5"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.error("database unavailable: %s", exception)
        # Dropped now, the session and auth middleware reconnect on their way out (or fail into server_error).
        drop_broken_connections()
        return database_unavailable_response(request)


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: a database outage noticed outside a view (session or auth middleware) is still a 503; else the
    API.md error body under /api/ and templates/500.html elsewhere (rendered without the request or the database)."""
    exception = sys.exc_info()[1]
    if isinstance(exception, DATABASE_ERRORS):
        drop_broken_connections()
        return database_unavailable_response(request)
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "server_error", "detail": "A server error occurred."}, status=500)
    return defaults.server_error(request)


class IdleTimeoutMiddleware:
    """Sign a browser session out after FUNNEL_IDLE_TIMEOUT_MINUTES without a request (0: never).

    The request that finds the session idle goes on signed out, so a page sends its visitor to sign in again (with
    a message saying why) and the API answers 401. API tokens carry no session and are not affected.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # A client without a session cookie (an API token, a tracking pixel) has no session to time out or to load.
        minutes = settings.FUNNEL_IDLE_TIMEOUT_MINUTES if settings.SESSION_COOKIE_NAME in request.COOKIES else 0
        if minutes > 0 and request.user.is_authenticated:
            now = int(time.time())
            last_seen = request.session.get(LAST_SEEN_SESSION_KEY)
            if last_seen is not None and now - last_seen > minutes * 60:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.info(request, f"You were signed out after {minutes} minutes without activity.")
            else:
                request.session[LAST_SEEN_SESSION_KEY] = now
        response = self.get_response(request)
        session = request.session
        if session.modified and LAST_SEEN_SESSION_KEY not in session and request.user.is_authenticated:
            session[LAST_SEEN_SESSION_KEY] = int(time.time())  # signed in by this request
        return response
