"""Turn a lost database connection into a clean 503 instead of a 500, wherever in the request it is noticed."""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
UNAVAILABLE_DETAIL = "The database is unavailable; try again shortly."


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
