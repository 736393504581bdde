"""The small JSON endpoints the record forms call while the user types: pickers' matches and duplicate hints.

Each answers `{"results": [{"id", "label", "detail", "url"}]}` with records the user may see (the caller starts
from `visible_to`), and 400 `{"code": "invalid", "detail", "field"}` for a parameter it cannot read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

MAX_QUERY_LENGTH = 100


class BadParameter(Exception):
    def __init__(self, field: str, detail: str):
        super().__init__(detail)
        self.field, self.detail = field, detail


def text_param(request: HttpRequest, name: str) -> str:
    """The trimmed text of `?name=` (NULs dropped: PostgreSQL refuses them), at most MAX_QUERY_LENGTH characters."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


def id_param(request: HttpRequest, name: str) -> int | None:
    """The record id in `?name=`, or None when absent.

    Raises:
        BadParameter: the value is not a positive whole number.
    """
    value = text_param(request, name)
    if not value:
        return None
    if not value.isdigit() or not 0 < int(value) < 2**63:
        raise BadParameter(name, f"{name} must be a record id (a positive whole number).")
    return int(value)


def lookup_view(view: Callable[[HttpRequest], Iterable]) -> Callable:
    """Turn `view(request) -> [(record, label, detail)]` into a signed-in GET endpoint answering JSON results."""

    @login_required
    @require_GET
    @wraps(view)
    def endpoint(request: HttpRequest, *args, **kwargs) -> JsonResponse:
        try:
            rows = view(request, *args, **kwargs)
        except BadParameter as exc:
            return JsonResponse({"code": "invalid", "detail": exc.detail, "field": exc.field}, status=400)
        results = [
            {
                "id": record.pk,
                "label": label,
                "detail": detail,
                "url": reverse(f"{record._meta.app_label}:detail", args=[record.pk]),
            }
            for record, label, detail in rows
        ]
        return JsonResponse({"results": results})

    return endpoint
