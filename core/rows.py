"""A list page's JSON straight from `.values()` rows, field for field what the record's serializer gives.

A list of 50 leads through a ModelSerializer builds 50 model instances and walks 45 fields each through
DRF's generic `get_attribute` / `to_representation` pair: three quarters of the request's time in a
profile. `RowReader` reads the serializer's own fields once and compiles one conversion per field: plain
values (text, choices, integers, booleans, JSON, related ids) pass through as the database gives them,
the rest (dates and times, decimals) go through the field's own `to_representation`, so formats and time
zones stay the serializer's. Method fields name the columns they read and a function of the row.

The serializer stays the one source of the shape: writes, the record endpoint and the schema use it, and
tests/core/test_rows.py checks a reader's output equals `serializer.data` for every field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers

# DRF fields whose `to_representation` of a value read from the database is the value itself.
_PASS_THROUGH = {
    serializers.CharField: str,
    serializers.EmailField: str,
    serializers.URLField: str,
    serializers.SlugField: str,
    serializers.IntegerField: int,
    serializers.BooleanField: bool,
}


@dataclass(frozen=True)
class Computed:
    """A field the serializer computes (a SerializerMethodField): the columns it needs and how to get it."""

    columns: Sequence[str]
    value: Callable[[dict[str, Any]], Any]


def _converter(field: serializers.Field) -> Callable[[Any], Any] | None:
    """None when the database's value is already the representation, else the field's own conversion."""
    if isinstance(field, serializers.PrimaryKeyRelatedField) and field.pk_field is None:
        return None
    if isinstance(field, serializers.JSONField) and not field.binary:
        return None
    if isinstance(field, serializers.ChoiceField):
        # A text choice read from the database is its own key; other keys go through the field.
        if all(isinstance(key, str) for key in field.choices):
            return None
        return field.to_representation
    kind = _PASS_THROUGH.get(type(field))
    if kind is not None:
        return _typed(kind, field)
    return field.to_representation


def _typed(kind: type, field: serializers.Field) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        return value if type(value) is kind else field.to_representation(value)

    return convert


class RowReader:
    """Compile a ModelSerializer into `.values()` columns and a row → representation function.

    Compiled on first use (the serializer's fields need the app registry), then shared by every request.
    """

    def __init__(self, serializer_class: type[serializers.ModelSerializer], computed: dict[str, Computed]) -> None:
        self.serializer_class = serializer_class
        self.computed = computed

    @cached_property
    def _compiled(self) -> tuple[list[str], list[tuple[str, str | None, Callable | None, Computed | None]]]:
        serializer, computed = self.serializer_class(), self.computed
        columns: list[str] = []
        plan: list[tuple[str, str | None, Callable | None, Computed | None]] = []
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            if name in computed:
                columns += [column for column in computed[name].columns if column not in columns]
                plan.append((name, None, None, computed[name]))
                continue
            if isinstance(field, serializers.SerializerMethodField) or "." in field.source or field.source == "*":
                raise TypeError(f"{self.serializer_class.__name__}.{name} needs a Computed entry to be read from rows.")
            if field.source not in columns:
                columns.append(field.source)
            plan.append((name, field.source, _converter(field), None))
        missing = set(computed) - {name for name, *_ in plan}
        if missing:
            raise TypeError(f"{self.serializer_class.__name__} has no readable fields {sorted(missing)}.")
        return columns, plan

    @property
    def columns(self) -> list[str]:
        return self._compiled[0]

    def rows(self, queryset: QuerySet) -> QuerySet:
        """The queryset as dict rows holding the columns the representation reads."""
        return queryset.values(*self.columns)

    def represent(self, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        plan = self._compiled[1]
        out = []
        for row in rows:
            item = {}
            for name, column, convert, computed in plan:
                if computed is not None:
                    item[name] = computed.value(row)
                    continue
                value = row[column]
                item[name] = value if convert is None or value is None else convert(value)
            out.append(item)
        return out
