"""Inline edits on record pages and list cells: one small JSON endpoint per record type, one field at a time.

`GET <record>/inline/?field=status` describes the field (its input type, current value and, for a choice, the
choices the user may pick); `POST` with `{"field": "phone", "value": "+1 555 0100"}` (or a form body) parses the
value with a form field, calls the owning app's service through `save()` and answers
`{"field", "value", "display", "undo"}`. `undo` (status and stage changes) is the previous value to send back to
revert the change, which the service then records like any other change. Errors answer DRF's shape, naming the
field: 400 `{"phone": ["…"]}`, a domain error `{"code", "detail", "field"}` with its status; a record the user may not
see answers 404. Pages without JavaScript keep their ordinary forms.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.http import HttpRequest, JsonResponse
from django.views import View

from core.exceptions import ApplicationError, PermissionDenied
from core.views import VisibleRecordsMixin


@dataclass(frozen=True)
class InlineField:
    """One editable field: how to parse it (`form_field(view, record)`), the input to show, who may edit it."""

    form_field: Callable[[Any, models.Model], forms.Field]
    input: str = "text"  # text | tel | number | date | select
    managers_only: bool = False
    undoable: bool = False  # a status or stage: the answer carries the value to go back to
    needs_reason: frozenset[str] = field(default_factory=frozenset)  # choices that ask why (unqualified, lost)


def model_field(model: type[models.Model], name: str, **overrides) -> Callable[[Any, models.Model], forms.Field]:
    """Parse with the model field's own form field (its length, type and choices)."""

    def make(view, record) -> forms.Field:
        return model._meta.get_field(name).formfield(**overrides)

    return make


class InlineEditView(VisibleRecordsMixin, View):
    """Describe (GET) or save (POST) one field of a record the user can see."""

    fields: dict[str, InlineField] = {}

    def save(self, record: models.Model, name: str, value: Any, *, reason: str) -> models.Model:
        """Write `value` to field `name` of `record` through the owning app's service; return the saved record."""
        raise NotImplementedError

    def display(self, record: models.Model, name: str) -> str:
        """The field's value as the page shows it."""
        getter = getattr(record, f"get_{name}_display", None)
        value = getter() if getter else getattr(record, name)
        return "—" if value in (None, "") else str(value)

    def raw(self, record: models.Model, name: str) -> Any:
        value = getattr(record, name)
        if isinstance(value, models.Model):
            return value.pk
        return value if value is None or isinstance(value, bool | int | float | str) else str(value)

    def needs_reason(self, name: str, spec: InlineField) -> set[str]:
        """The choices of field `name` that ask the user why (a lead's unqualified, a deal's lost stages)."""
        return set(spec.needs_reason)

    def undo_reason(self, record: models.Model, name: str) -> str:
        """The reason to send with an undo that goes back to a status or stage needing one."""
        return ""

    def check_allowed(self, record: models.Model, name: str) -> InlineField:
        spec = self.fields.get(name)
        if spec is None:
            raise ValidationError({"field": [f"Choose one of: {', '.join(self.fields)}."]})
        if spec.managers_only and not self.request.user.can_manage:
            raise PermissionDenied(f"Only managers and admins may change the {name.replace('_', ' ')}.", field=name)
        return spec

    def get(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        record = self.get_object()
        name = request.GET.get("field", "")
        try:
            spec = self.check_allowed(record, name)
        except (ValidationError, ApplicationError) as exc:
            return error_response(exc)
        form_field = spec.form_field(self, record)
        described = {"field": name, "input": spec.input, "value": self.raw(record, name)}
        if spec.input == "select":
            described["choices"] = [[str(value), str(label)] for value, label in form_field.choices]
            described["needs_reason"] = sorted(self.needs_reason(name, spec))
        return JsonResponse(described)

    def post(self, request: HttpRequest, *args, **kwargs) -> JsonResponse:
        record = self.get_object()
        data = _request_data(request)
        if data is None:
            return JsonResponse({"non_field_errors": ["Send a JSON object with `field` and `value`."]}, status=400)
        name = str(data.get("field", ""))
        reason = str(data.get("reason") or "").strip()
        try:
            spec = self.check_allowed(record, name)
            value = spec.form_field(self, record).clean(data.get("value"))
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                exc = ValidationError({name: exc.messages})
            return error_response(exc)
        except ApplicationError as exc:
            return error_response(exc)
        previous, previous_reason = self.raw(record, name), self.undo_reason(record, name)
        try:
            record = self.save(record, name, value, reason=reason)
        except (ValidationError, ApplicationError) as exc:
            return error_response(exc, field=name)
        answer = {"field": name, "value": self.raw(record, name), "display": self.display(record, name), "undo": None}
        if spec.undoable and answer["value"] != previous:
            answer["undo"] = {"value": previous, "reason": previous_reason}
        return JsonResponse(answer)


def _request_data(request: HttpRequest) -> dict | None:
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return None
        return data if isinstance(data, dict) else None
    return request.POST.dict()


def error_response(exc: ValidationError | ApplicationError, *, field: str = "") -> JsonResponse:
    """A service or parsing error as JSON naming its field: DRF's `{"field": [...]}` or `{"code", "detail"}`."""
    if isinstance(exc, ApplicationError):
        return JsonResponse(
            {"code": exc.code, "detail": exc.detail, "field": exc.field or field}, status=exc.status_code
        )
    if hasattr(exc, "error_dict"):
        named = {
            "non_field_errors" if name == NON_FIELD_ERRORS else name: ValidationError(errors).messages
            for name, errors in exc.error_dict.items()
        }
        return JsonResponse(named, status=400)
    return JsonResponse({field or "non_field_errors": exc.messages}, status=400)
