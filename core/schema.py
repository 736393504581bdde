"""OpenAPI generation: every operation documents the error responses API.md promises."""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework.permissions import AllowAny

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        'Domain errors are `{"code", "detail"}`; validation errors map field names (or `non_field_errors`) '
        "to lists of messages; authentication, permission and throttling errors carry `detail`."
    ),
    "properties": {"code": {"type": "string"}, "detail": {"type": "string"}},
    "additionalProperties": True,
}
ERROR_DESCRIPTIONS = {
    "400": "Invalid input: the body names each offending field.",
    "401": "No or invalid credentials.",
    "403": "The caller's role may not take this action (or the CSRF check failed for a session).",
    "404": "No such record among those the caller may see.",
    "409": "Conflict: the record is read-only (converted lead), still referenced, or the idempotency key is in use.",
    "429": "Throttled; retry after the `Retry-After` seconds.",
    "503": "The database is unavailable; retry shortly.",
}

LIST_400_DESCRIPTION = (
    "A query parameter the list doesn't document, an `ordering` field outside its sortable fields, or a bad "
    'filter value: e.g. `{"statsu": ["Unknown query parameter. Allowed: cursor, page_size, …"]}`.'
)

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Optional, 1 to 255 characters (a UUID). A repeat from the same user within 24 hours returns the first "
        "status and body without doing the work again; the same key with a different body is 409."
    ),
)


class FunnelAutoSchema(AutoSchema):
    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        from core.viewsets import IdempotentMixin

        if self.method == "POST" and isinstance(self.view, IdempotentMixin):
            parameters.append(IDEMPOTENCY_PARAMETER)
        return parameters

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        public = any(isinstance(permission, AllowAny) for permission in self.view.get_permissions())
        codes = ["400", "404", "429", "503"]
        if not public:
            codes += ["401", "403"]
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")
        for code in sorted(codes):
            responses.setdefault(
                code,
                {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                },
            )
        if self.method == "GET" and self._is_list_view():
            # A list refuses what it doesn't know (core.query_params), whatever its view documented for 400.
            responses["400"]["description"] = LIST_400_DESCRIPTION
            responses["400"].setdefault("content", {"application/json": {"schema": ERROR_SCHEMA}})
        return responses
