"""The one API error handler, and API views of the shared kernel (health)."""

from __future__ import annotations

import logging

from celery import current_app
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DatabaseError, connection
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from core.events import CoreEvent, publish
from core.exceptions import ApplicationError
from core.http import client_ip
from core.middleware import DATABASE_ERRORS, UNAVAILABLE_DETAIL, drop_broken_connections

logger = logging.getLogger(__name__)


def error_body(exc: ApplicationError | DjangoValidationError) -> dict:
    """The API.md body of a domain error or a model validation error."""
    if isinstance(exc, ApplicationError):
        body = {"code": exc.code, "detail": exc.detail}
        if exc.field:
            body[exc.field] = [exc.detail]
        return body
    if hasattr(exc, "error_dict"):
        body = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        if "__all__" in body:
            body["non_field_errors"] = body.pop("__all__")
        return body
    return {"non_field_errors": [str(m) for m in exc.messages]}


def exception_handler(exc, context):
    """Map domain errors, model validation and database outages to the API.md shapes."""
    if isinstance(exc, ApplicationError | exceptions.PermissionDenied) and exc.status_code == 403:
        _record_permission_denied(context, exc)
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        return Response(error_body(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DATABASE_ERRORS):
        logger.error("database unavailable: %s", exc)
        drop_broken_connections()
        return Response(
            {"code": "service_unavailable", "detail": UNAVAILABLE_DETAIL},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": "5"},
        )
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(response.data, dict) and set(response.data) == {"detail"}:
        # DRF's own errors (not found, not authenticated, throttled …) get a stable code like domain errors.
        codes = exc.get_codes() if isinstance(exc, exceptions.APIException) else "not_found"
        response.data["code"] = codes if isinstance(codes, str) else "error"
    return response


def _record_permission_denied(context, exc) -> None:
    request = context.get("request")
    # A refusal at authentication (a read-only API token writing) leaves the request anonymous: the error names
    # the token's user.
    user = getattr(exc, "user", None) or getattr(request, "user", None)
    publish(
        CoreEvent.PERMISSION_DENIED,
        by=user if getattr(user, "is_authenticated", False) else None,
        data={
            "detail": str(getattr(exc, "detail", exc))[:500],
            "ip_address": client_ip(request),
            "path": request.path if request is not None else "",
        },
    )


def broker_status() -> str:
    """Return "ok" when the Celery broker accepts a connection within a second, else "down"."""
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
    except Exception:
        return "down"
    return "ok"


class HealthView(APIView):
    """Liveness for load balancers: database and broker, nothing else."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={
            200: inline_serializer(
                "Health",
                {
                    "status": serializers.CharField(),
                    "database": serializers.CharField(),
                    "broker": serializers.CharField(),
                },
            ),
            503: inline_serializer(
                "HealthDown",
                {
                    "status": serializers.CharField(),
                    "database": serializers.CharField(),
                    "broker": serializers.CharField(),
                },
            ),
        },
        auth=[],
    )
    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            database = "ok"
        except DatabaseError:
            database = "down"
        body = {"status": "ok" if database == "ok" else "down", "database": database, "broker": broker_status()}
        return Response(body, status=200 if database == "ok" else 503)
