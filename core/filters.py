"""Filter building blocks: values that can't be stored or compared, and fields that can't be sorted on, answer 400."""

from __future__ import annotations

from datetime import UTC

from django import forms
from django_filters import rest_framework as filters
from rest_framework import exceptions
from rest_framework import filters as drf_filters

from core.pagination import DEFAULT_ORDERING
from core.query_params import filterset_param_names


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


class ProbabilityField(forms.FloatField):
    """A probability: a finite number from 0 to 1."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 1)
        super().__init__(*args, **kwargs)


class ProbabilityFilter(filters.NumberFilter):
    """`0.25` or `1`; a value outside 0 to 1 (or not a number) is a 400 naming the parameter."""

    field_class = ProbabilityField


class FilterBackend(filters.DjangoFilterBackend):
    """django-filter's backend, which leaves a list alone when the query string names none of its filters.

    Binding and validating a filterset's form for an empty query costs a page of the lead list about a fifth of
    its time, and filters nothing: every filter skips an empty value.
    """

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is None or not any(
            name in request.query_params for name in filterset_param_names(filterset_class)
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


def _field_names(terms) -> list[str]:
    return [term if isinstance(term, str) else term[0] for term in terms]


class SearchFilter(drf_filters.SearchFilter):
    """`search=` where the view names `search_fields`; a view without them neither documents nor accepts it."""

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "search_fields", None)
        if not fields:
            return []
        parameters = super().get_schema_operation_parameters(view)
        names = ", ".join(field.lstrip("^=@$").replace("__", " ") for field in fields)
        parameters[0]["description"] = f"Case-insensitive match on any of: {names}."
        return parameters


class OrderingFilter(drf_filters.OrderingFilter):
    """`ordering=` by the view's `ordering_fields` only: an unknown field is a 400 naming the allowed ones.

    DRF's own filter drops unknown fields silently, so `ordering=scroe` came back in the default order.
    """

    def get_ordering(self, request, queryset, view):
        raw = request.query_params.get(self.ordering_param)
        if raw:
            valid = _field_names(self.get_valid_fields(queryset, view, {"request": request}))
            terms = [term.strip() for term in raw.split(",") if term.strip()]
            unknown = [term for term in terms if (term[1:] if term.startswith("-") else term) not in valid]
            if unknown:
                raise exceptions.ValidationError(
                    {
                        self.ordering_param: [
                            f"Unknown ordering field: {', '.join(unknown)}. Allowed: {', '.join(valid)} "
                            "(comma-separated; prefix a field with - to sort descending)."
                        ]
                    }
                )
        return super().get_ordering(request, queryset, view)

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", self.ordering_fields)
        if fields is not None and not fields:
            return []
        parameters = super().get_schema_operation_parameters(view)
        if isinstance(fields, list | tuple):
            default = getattr(view, "ordering", None) or DEFAULT_ORDERING
            default = default if isinstance(default, str) else ",".join(default)
            parameters[0]["description"] = (
                f"Sort by {', '.join(_field_names(fields))} (comma-separated; prefix a field with - to sort "
                f"descending). Default: {default}."
            )
        return parameters
