"""Turn a lost database connection into a clean 503 instead of a 500."""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable: %s", exception)
        # Drop the broken connections so the next request opens fresh ones.
        for connection in connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
            if connection.connection is not None and not connection.is_usable():
                connection.close()
        if request.path.startswith("/api/"):
            response = JsonResponse(
                {"code": "service_unavailable", "detail": "The database is unavailable; try again shortly."},
                status=503,
            )
        else:
            response = HttpResponse(
                "<h1>Temporarily unavailable</h1><p>The database is unavailable; try again shortly.</p>",
                status=503,
            )
        response["Retry-After"] = "5"
        return response
