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


class StorageFull(ApplicationError):
    """The disk that holds uploads has no room left: nothing of the upload was kept."""

    code = "storage_full"
    status_code = 507
    default_detail = "The server's upload storage is full: nothing was saved. Ask an administrator to free space."
