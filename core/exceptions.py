"""Domain errors: a stable `code`, an HTTP status and a human message."""

from __future__ import annotations


class ApplicationError(Exception):
    code = "application_error"
    status_code = 400
    default_detail = "The request could not be completed."

    def __init__(self, detail: str | None = None, *, field: str | None = None, **context) -> None:
        self.detail = detail or self.default_detail.format(**context)
        self.field = field
        self.context = context
        super().__init__(self.detail)


class NotFound(ApplicationError):
    code = "not_found"
    status_code = 404
    default_detail = "Not found."


class PermissionDenied(ApplicationError):
    code = "permission_denied"
    status_code = 403
    default_detail = "Your role may not do this."


class Conflict(ApplicationError):
    code = "conflict"
    status_code = 409
    default_detail = "The record changed meanwhile."
