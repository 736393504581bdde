"""Salesforce's error shape: a list of `{"message", "errorCode", "fields"}` with Salesforce's status codes.

Clients map the status to their exceptions (simple-salesforce: 300 → SalesforceMoreThanOneRecord, 400 →
SalesforceMalformedRequest, 401 → SalesforceExpiredSession, 403 → SalesforceRefusedRequest, 404 →
SalesforceResourceNotFound), so every error under /services/ goes through `error_response`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from rest_framework.response import Response


class SalesforceError(Exception):
    """An error answered as `[{"message", "errorCode", "fields"}]` with `status`."""

    def __init__(
        self, error_code: str, message: str, *, status: int = 400, fields: Iterable[str] = (), body: Any = None
    ) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message
        self.status = status
        self.fields = list(fields)
        self.body = body

    def as_dict(self) -> dict:
        return {"message": self.message, "errorCode": self.error_code, "fields": self.fields}

    def __repr__(self) -> str:
        return f"SalesforceError({self.error_code!r}, {self.message!r}, status={self.status})"


def error_response(exc: SalesforceError) -> Response:
    """The response Salesforce gives for `exc` (a list of one error; the list of matches for a 300)."""
    body = exc.body if exc.body is not None else [exc.as_dict()]
    return Response(body, status=exc.status)


def not_found(message: str = "The requested resource does not exist") -> SalesforceError:
    return SalesforceError("NOT_FOUND", message, status=404)


def entity_is_deleted() -> SalesforceError:
    return SalesforceError("ENTITY_IS_DELETED", "entity is deleted", status=404)


def invalid_session_id() -> SalesforceError:
    return SalesforceError("INVALID_SESSION_ID", "Session expired or invalid", status=401)


def insufficient_access(message: str = "insufficient access rights on object id") -> SalesforceError:
    return SalesforceError("INSUFFICIENT_ACCESS_OR_READONLY", message)


def method_not_allowed(method: str, allowed: Iterable[str]) -> SalesforceError:
    allowed_list = ",".join(allowed)
    return SalesforceError(
        "METHOD_NOT_ALLOWED", f"HTTP Method '{method}' not allowed. Allowed are {allowed_list}", status=405
    )


def unsupported_media_type(media_type: str) -> SalesforceError:
    return SalesforceError("UNSUPPORTED_MEDIA_TYPE", f"Content type '{media_type}' is not supported.", status=415)


def read_only_token() -> SalesforceError:
    """A read-scope API token on a write (any POST, PATCH, PUT or DELETE)."""
    return SalesforceError("INSUFFICIENT_ACCESS_OR_READONLY", "This token can only read.", status=403)


def request_limit_exceeded(wait: float | None = None) -> SalesforceError:
    """The token's rate limit is reached: 429 (with Retry-After, set by the handler), not Salesforce's daily 403."""
    message = "TotalRequests Limit exceeded."
    if wait:
        message += f" Retry in {math.ceil(wait)} seconds."
    return SalesforceError("REQUEST_LIMIT_EXCEEDED", message, status=429)


def json_parser_error(message: str) -> SalesforceError:
    return SalesforceError("JSON_PARSER_ERROR", message)


def invalid_type(name: str) -> SalesforceError:
    return SalesforceError("INVALID_TYPE", f"sObject type '{name}' is not supported.")


def invalid_field(name: str, sobject: str | None = None) -> SalesforceError:
    where = f" on sobject of type {sobject}" if sobject else ""
    return SalesforceError("INVALID_FIELD", f"No such column '{name}'{where}", fields=[name])


def invalid_field_for_insert_update(names: Iterable[str]) -> SalesforceError:
    names = list(names)
    return SalesforceError(
        "INVALID_FIELD_FOR_INSERT_UPDATE",
        f"Unable to create/update fields: {', '.join(names)}. Please check the security settings of this field "
        "and verify that it is read/write for your profile or permission set.",
        fields=names,
    )


def required_field_missing(names: Iterable[str]) -> SalesforceError:
    names = list(names)
    return SalesforceError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(names)}]", fields=names)


def malformed_query(message: str) -> SalesforceError:
    return SalesforceError("MALFORMED_QUERY", message)


def malformed_id(field: str, value: Any) -> SalesforceError:
    return SalesforceError("MALFORMED_ID", f"{field}: id value of incorrect type: {value}", fields=[field])


def invalid_cross_reference_key(field: str, value: Any) -> SalesforceError:
    return SalesforceError(
        "INVALID_CROSS_REFERENCE_KEY", f"invalid cross reference id: {field} = {value}", fields=[field]
    )


def invalid_value(field: str, value: Any) -> SalesforceError:
    return SalesforceError(
        "INVALID_TYPE_ON_FIELD_IN_RECORD", f"{field}: value not of required type: {value}", fields=[field]
    )


def bad_picklist_value(field: str, value: Any) -> SalesforceError:
    return SalesforceError(
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        f"{field}: bad value for restricted picklist field: {value}",
        fields=[field],
    )


def string_too_long(field: str, max_length: int) -> SalesforceError:
    return SalesforceError(
        "STRING_TOO_LONG", f"{field}: data value too large (max length={max_length})", fields=[field]
    )


def duplicate_value(field: str, sf_id: str | None = None) -> SalesforceError:
    message = f"duplicate value found: {field} duplicates value on record with id: {sf_id or 'unknown'}"
    return SalesforceError("DUPLICATE_VALUE", message, fields=[field])


def validation_failed(message: str, fields: Iterable[str] = ()) -> SalesforceError:
    return SalesforceError("FIELD_CUSTOM_VALIDATION_EXCEPTION", message, fields=fields)


def converted_lead() -> SalesforceError:
    return SalesforceError("CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead")


def entity_is_locked(message: str = "entity is locked for editing") -> SalesforceError:
    return SalesforceError("ENTITY_IS_LOCKED", message)


def multiple_matches(urls: list[str]) -> SalesforceError:
    """Several records match an upsert's external id: 300 with their URLs, as Salesforce answers."""
    return SalesforceError(
        "MULTIPLE_CHOICES", f"{len(urls)} records match the external id.", status=300, body=list(urls)
    )


def delete_failed(message: str) -> SalesforceError:
    return SalesforceError("DELETE_FAILED", message)


def not_supported(message: str) -> SalesforceError:
    return SalesforceError("FEATURE_NOT_ENABLED", message)


def server_unavailable() -> SalesforceError:
    return SalesforceError("SERVER_UNAVAILABLE", "The server is temporarily unavailable. Retry later.", status=503)
