"""The base of every /services/ view: Salesforce's authentication, JSON only, and Salesforce's error shape for
every failure (DRF's parse, authentication, permission and routing errors included)."""

from __future__ import annotations

import logging
import math

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from rest_framework import exceptions
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.views import APIView

from core.exceptions import ApplicationError
from core.middleware import DATABASE_ERRORS, drop_broken_connections
from core.parsers import JSONParser
from integrations.salesforce import errors
from integrations.salesforce.authentication import SalesforceTokenAuthentication
from integrations.salesforce.errors import SalesforceError, error_response
from integrations.salesforce.mapping import SObject
from integrations.salesforce.objects import SUPPORTED_VERSIONS, get_sobject
from users.authentication import ReadOnlyToken

logger = logging.getLogger(__name__)


def to_salesforce_error(exc: Exception, context: dict | None = None) -> SalesforceError | None:
    """The Salesforce error for `exc`, or None for an unexpected exception (a bug: a logged 500)."""
    if isinstance(exc, SalesforceError):
        return exc
    if isinstance(exc, Http404 | exceptions.NotFound):
        return errors.not_found()
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        return errors.invalid_session_id()
    if isinstance(exc, exceptions.MethodNotAllowed):
        view = (context or {}).get("view")
        allowed = [m for m in getattr(view, "allowed_methods", []) if m not in ("OPTIONS", "HEAD")]
        return errors.method_not_allowed(exc.args[0] if exc.args else "?", allowed)
    if isinstance(exc, exceptions.UnsupportedMediaType):
        return errors.unsupported_media_type(str(exc.args[0] if exc.args else ""))
    if isinstance(exc, exceptions.ParseError):
        return errors.json_parser_error(str(exc.detail))
    if isinstance(exc, exceptions.Throttled):
        return errors.request_limit_exceeded(exc.wait)
    if isinstance(exc, ReadOnlyToken):
        return errors.read_only_token()
    if isinstance(exc, exceptions.PermissionDenied):
        return SalesforceError("INSUFFICIENT_ACCESS", str(exc.detail), status=403)
    if isinstance(exc, ApplicationError):
        if exc.status_code == 404:
            return errors.not_found()
        return errors.validation_failed(exc.detail)
    if isinstance(exc, DjangoValidationError):
        return errors.validation_failed("; ".join(exc.messages))
    if isinstance(exc, exceptions.APIException):
        return SalesforceError("INVALID_INPUT", str(exc.detail), status=exc.status_code)
    if isinstance(exc, DATABASE_ERRORS):
        logger.error("database unavailable: %s", exc)
        drop_broken_connections()
        return errors.server_unavailable()
    return None


def exception_handler(exc, context):
    """DRF's exception handler for /services/: Salesforce's shape and statuses."""
    error = to_salesforce_error(exc, context)
    if error is None:
        return None
    response = error_response(error)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="Salesforce"'
    if error.status == 503:
        response["Retry-After"] = "5"
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        response["Retry-After"] = str(math.ceil(exc.wait))
    return response


class SalesforceView(APIView):
    """A /services/ endpoint: token authentication, JSON in and out, Salesforce errors, a supported version."""

    authentication_classes = [SalesforceTokenAuthentication]
    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    renderer_classes = [JSONRenderer]
    # Documented in docs/integrations.md; the OpenAPI schema describes /api/v1/ only.
    schema = None

    def get_exception_handler(self):
        return exception_handler

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        version = kwargs.get("version")
        if version is not None and version not in SUPPORTED_VERSIONS:
            raise errors.not_found()

    @property
    def version(self) -> str:
        return self.kwargs["version"]

    def sobject(self) -> SObject:
        """The sObject named in the URL; an unknown one is NOT_FOUND, as Salesforce answers."""
        try:
            return get_sobject(self.kwargs["sobject"])
        except SalesforceError:
            raise errors.not_found() from None


def unknown_resource(request, *args, **kwargs) -> JsonResponse:
    """Any other path under /services/: Salesforce's JSON 404, not the HTML page."""
    return JsonResponse([errors.not_found().as_dict()], status=404, safe=False)
