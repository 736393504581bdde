"""Filter building blocks: values that can't be stored or compared answer 400, never 500."""

from __future__ import annotations

from datetime import UTC

from django import forms
from django_filters import rest_framework as filters


class SafeDateTimeField(forms.DateTimeField):
    def to_python(self, value):
        result = super().to_python(value)
        if result is None:
            return None
        # In UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 parsing accepts.
        try:
            return result.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise forms.ValidationError("Enter a date/time between the years 1 and 9999.") from exc


class DateTimeFilter(filters.DateTimeFilter):
    """Accepts `2026-01-01` or a full ISO 8601 timestamp; 2026-02-30 is a 400."""

    field_class = SafeDateTimeField


class BoundedIntegerField(forms.IntegerField):
    """An integer a 64-bit column can hold: larger ids are a 400, not a database overflow."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", -(2**63))
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class IntegerFilter(filters.NumberFilter):
    field_class = BoundedIntegerField
