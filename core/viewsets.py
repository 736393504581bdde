"""Base API views: idempotent POSTs, checked query strings, writes through services."""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ImproperlyConfigured
from rest_framework import exceptions, viewsets
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from core.exceptions import Conflict
from core.parsers import contains_nul
from core.query_params import check_query_params
from core.rows import RowReader
from core.services import claim_idempotency_key, complete_idempotency_key, release_idempotency_key

IDEMPOTENCY_HEADER = "Idempotency-Key"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
    default_detail = "This Idempotency-Key was already used for a different request."


class IdempotencyInProgress(Conflict):
    code = "idempotency_in_progress"
    default_detail = "A request with this Idempotency-Key is still being processed; retry shortly."


class _Replay(Exception):
    def __init__(self, response: Response) -> None:
        self.response = response


def _fingerprint(request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    try:
        digest.update(request._request.body)
    except Exception:  # a large upload cannot be read twice: method, path and length suffice
        digest.update(request.headers.get("Content-Length", "").encode())
    return digest.hexdigest()


class SafeQueryMixin:
    """Check the query string before it is used; every viewset under /api/v1/ includes it.

    NUL characters are a 400 naming the parameter (PostgreSQL can't compare them). A list accepts only the
    parameters it documents (`core.query_params`) and an `ordering=` of its `ordering_fields`: anything else is
    a 400, as a typo would otherwise widen the list silently. One record (retrieve, update, delete, detail
    actions) is addressed by its path: its query string is ignored, filters included.
    """

    # Query parameters a list reads itself, besides its paging, filters, search and ordering; document them with
    # `extend_schema(parameters=...)` too.
    extra_query_params: tuple[str, ...] = ()

    def initial(self, request, *args, **kwargs):
        for name, values in request.query_params.lists():
            if contains_nul(name) or contains_nul(values):
                raise exceptions.ValidationError({name.replace("\x00", ""): ["Null characters are not allowed."]})
        super().initial(request, *args, **kwargs)

    def filter_queryset(self, queryset):
        if getattr(self, "action", None) != "list":
            return queryset
        check_query_params(self, self.request, queryset)
        return super().filter_queryset(queryset)


class IdempotentMixin:
    """POSTs with `Idempotency-Key`: the same user and key within 24 h get the first status and body back."""

    _idempotency = None

    def initial(self, request, *args, **kwargs):
        self._idempotency = None
        super().initial(request, *args, **kwargs)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        if request.method != "POST" or key is None or not request.user.is_authenticated:
            return
        if not key or len(key) > 255 or contains_nul(key):
            raise exceptions.ValidationError({IDEMPOTENCY_HEADER: ["Send 1 to 255 characters, e.g. a UUID."]})
        fingerprint = _fingerprint(request)
        record, claimed = claim_idempotency_key(user=request.user, key=key, fingerprint=fingerprint)
        if claimed:
            self._idempotency = record
            return
        if record is None or record.status_code is None:
            raise IdempotencyInProgress()
        if record.fingerprint != fingerprint:
            raise IdempotencyKeyReused()
        data = json.loads(record.body) if record.body else None
        raise _Replay(Response(data, status=record.status_code, headers={"Idempotent-Replayed": "true"}))

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        try:
            return super().handle_exception(exc)
        except Exception:
            if self._idempotency is not None:
                release_idempotency_key(self._idempotency)
                self._idempotency = None
            raise

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        record, self._idempotency = self._idempotency, None
        if record is not None:
            if response.status_code >= 500:
                release_idempotency_key(record)
            else:
                body = JSONRenderer().render(response.data).decode() if response.data is not None else ""
                complete_idempotency_key(record, status_code=response.status_code, body=body)
        return response


class ServiceWritesMixin:
    """Writes through the app's services, the caller as `by`, the result becoming the serializer's instance.

    `create_service(by=, **validated_data)`, `update_service(instance, by=, data=validated_data)` and
    `delete_service(instance, by=)` are plain functions (read through the class, so they don't bind to the view);
    a viewset names those of the writes it allows.
    """

    create_service = None
    update_service = None
    delete_service = None

    def _service(self, name: str):
        service = getattr(type(self), name)
        if service is None:
            raise ImproperlyConfigured(f"{type(self).__name__} writes through services: set {name}.")
        return service

    def perform_create(self, serializer):
        serializer.instance = self._service("create_service")(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        update = self._service("update_service")
        serializer.instance = update(serializer.instance, by=self.request.user, data=serializer.validated_data)

    def perform_destroy(self, instance):
        self._service("delete_service")(instance, by=self.request.user)


class RowListMixin:
    """A list answered from `.values()` rows when the view names its reader (`list_rows`, core.rows): the same
    fields as the serializer, without a model instance per row. The record, writes and the schema keep the
    serializer."""

    list_rows: RowReader | None = None

    def list(self, request, *args, **kwargs):
        if self.list_rows is None:
            return super().list(request, *args, **kwargs)
        rows = self.list_rows.rows(self.filter_queryset(self.get_queryset()))
        page = self.paginate_queryset(rows)
        if page is None:
            return Response(self.list_rows.represent(rows))
        return self.get_paginated_response(self.list_rows.represent(page))


class FunnelViewMixin(SafeQueryMixin, IdempotentMixin):
    pass


class FunnelModelViewSet(RowListMixin, ServiceWritesMixin, FunnelViewMixin, viewsets.ModelViewSet):
    """CRUD over `visible_to(user)`; writes go through the services named by `ServiceWritesMixin`."""

    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]


class FunnelReadOnlyViewSet(RowListMixin, FunnelViewMixin, viewsets.ReadOnlyModelViewSet):
    pass


class FunnelGenericViewSet(FunnelViewMixin, viewsets.GenericViewSet):
    pass
