"""Keyset pagination for HTML lists: "Next"/"Previous" over (sort field, id), never a COUNT(*).

A page costs one query whatever the table size: the database walks the
(sort field, id) index from the cursor and stops after `size + 1` rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.models import F, Q
from django.utils.dateparse import parse_datetime


@dataclass
class KeysetPage:
    items: list = field(default_factory=list)
    next_cursor: str | None = None
    previous_cursor: str | None = None

    @property
    def has_other_pages(self) -> bool:
        return bool(self.next_cursor or self.previous_cursor)


def _encode(value: Any, pk: int) -> str:
    if value is None:
        raw = ""
    elif isinstance(value, datetime):
        raw = value.isoformat()
    else:
        raw = str(value)
    return f"{raw}~{pk}"


def _decode(cursor: str, field_type: models.Field) -> tuple[Any, int] | None:
    raw, sep, pk = (cursor or "").rpartition("~")
    if not sep or not pk.isdigit():
        return None
    if raw == "":
        if field_type.null:
            return None, int(pk)
        # A NOT NULL text column's empty value (a lead without a company), not a null.
        return ("", int(pk)) if isinstance(field_type, (models.CharField, models.TextField)) else None
    try:
        if isinstance(field_type, models.DateTimeField):
            value = parse_datetime(raw)
            if value is None:
                return None
        elif isinstance(field_type, models.DecimalField):
            value = Decimal(raw)
        elif isinstance(field_type, models.FloatField):
            value = float(raw)
            if not math.isfinite(value):
                return None
        elif isinstance(field_type, (models.IntegerField, models.PositiveSmallIntegerField)):
            value = int(raw)
        else:
            value = raw
    except (ValueError, InvalidOperation):
        return None
    return value, int(pk)


def _after(name: str, value: Any, pk: int, *, descending: bool, nullable: bool) -> Q:
    """Rows that come after (value, pk) in the order `name DESC NULLS LAST, id DESC` (or ASC)."""
    if value is None:
        # Nulls sort last: after a null only other nulls with a smaller (or larger) id remain.
        return Q(**{f"{name}__isnull": True}) & Q(**{"pk__lt" if descending else "pk__gt": pk})
    op = "lt" if descending else "gt"
    condition = Q(**{f"{name}__{op}": value}) | (Q(**{name: value}) & Q(**{f"pk__{op}": pk}))
    if nullable:
        condition |= Q(**{f"{name}__isnull": True})
    return condition


def _before(name: str, value: Any, pk: int, *, descending: bool, nullable: bool) -> Q:
    """Rows that come before (value, pk) in the same order."""
    op = "gt" if descending else "lt"
    if value is None:
        return Q(**{f"{name}__isnull": False}) | Q(**{f"pk__{op}": pk})
    return Q(**{f"{name}__{op}": value}) | (Q(**{name: value}) & Q(**{f"pk__{op}": pk}))


def keyset_page(
    queryset: models.QuerySet, *, sort: str, after: str | None = None, before: str | None = None, size: int = 50
) -> KeysetPage:
    """Return one page of `queryset` ordered by `sort` then id, starting after/before a cursor."""
    descending = sort.startswith("-")
    name = sort.lstrip("-")
    model_field = queryset.model._meta.get_field(name)
    nullable = model_field.null
    # Spell out NULLS placement only for nullable fields: on a NOT NULL column it would stop
    # PostgreSQL from walking the plain (field DESC, id DESC) index.
    nulls = {"nulls_last": True} if nullable else {}
    reverse_nulls = {"nulls_first": True} if nullable else {}
    order = F(name).desc(**nulls) if descending else F(name).asc(**nulls)
    id_order = "-id" if descending else "id"
    reverse_order = F(name).asc(**reverse_nulls) if descending else F(name).desc(**reverse_nulls)
    reverse_id = "id" if descending else "-id"

    cursor = _decode(before, model_field) if before else None
    if cursor is not None:
        rows = list(
            queryset.filter(_before(name, *cursor, descending=descending, nullable=nullable)).order_by(
                reverse_order, reverse_id
            )[: size + 1]
        )
        has_more_before = len(rows) > size
        rows = list(reversed(rows[:size]))
        page = KeysetPage(items=rows)
        if rows:
            page.next_cursor = _encode(getattr(rows[-1], name), rows[-1].pk)
            if has_more_before:
                page.previous_cursor = _encode(getattr(rows[0], name), rows[0].pk)
        return page

    cursor = _decode(after, model_field) if after else None
    qs = queryset
    if cursor is not None:
        qs = qs.filter(_after(name, *cursor, descending=descending, nullable=nullable))
    rows = list(qs.order_by(order, id_order)[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    page = KeysetPage(items=rows)
    if has_more:
        page.next_cursor = _encode(getattr(rows[-1], name), rows[-1].pk)
    if cursor is not None and rows:
        page.previous_cursor = _encode(getattr(rows[0], name), rows[0].pk)
    return page
