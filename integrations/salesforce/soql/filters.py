"""WHERE conditions -> Q objects (and the aliases they filter on), with Salesforce's value rules per field type.

Text comparisons are case-insensitive, as in Salesforce; an empty text is null (`Email = null` matches leads
without an email). Picklists compare Salesforce values (`Status = 'Working - Contacted'`); a value outside the
picklist matches nothing. Ids are 15 or 18 characters; an id of another object matches nothing. Dates compare as
whole UTC days and date literals as ranges of UTC days (dates.py).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import reduce
from operator import and_, or_
from typing import Any

from django.db import connection
from django.db.models import Q
from django.db.models.functions import Lower

from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.ids import InvalidId, from_sf_id
from integrations.salesforce.mapping import NUMBER_TYPES, TEXT_TYPES, SObject

from . import dates, nodes
from .resolve import Resolved, resolve

NOTHING = Q(pk__in=[])
EVERYTHING = ~Q(pk__in=[])
NO_MATCH = object()  # a value no row can hold (a picklist value we do not have, another object's id)
MAX_NUMBER = Decimal(10) ** 18
LOOKUPS = {"<": "lt", ">": "gt", "<=": "lte", ">=": "gte"}
TYPE_NAMES = {"id": "id", "reference": "id", "boolean": "boolean", "int": "int", "date": "date", "datetime": "dateTime"}


def filter_error(field: str, kind: str) -> SalesforceError:
    if kind in TEXT_TYPES:
        message = (
            f"value of filter criterion for field '{field}' must be of type string and should be enclosed in quotes"
        )
    else:
        kind = TYPE_NAMES.get(kind, "double" if kind in NUMBER_TYPES else kind)
        message = (
            f"value of filter criterion for field '{field}' must be of type {kind} and should not be enclosed in quotes"
        )
    return SalesforceError("INVALID_FIELD", message, fields=[field])


def operator_error(message: str) -> SalesforceError:
    return SalesforceError("INVALID_QUERY_FILTER_OPERATOR", message)


class WhereCompiler:
    """Turns one WHERE tree into a Q; `aliases` collects the expressions it filters on (parents, computed fields)."""

    def __init__(self, sobject: SObject, user):
        self.sobject = sobject
        self.user = user
        self.aliases: dict[str, Any] = {}

    def compile(self, condition: nodes.Condition) -> Q:
        if isinstance(condition, nodes.And):
            return reduce(and_, (self.compile(item) for item in condition.items))
        if isinstance(condition, nodes.Or):
            return reduce(or_, (self.compile(item) for item in condition.items))
        if isinstance(condition, nodes.Not):
            return ~self.compile(condition.item)
        resolved = resolve(self.sobject, condition.field, self.user)
        lhs = self._alias(resolved.expression) if not resolved.plain_source else resolved.plain_source
        if condition.op in ("IN", "NOT IN"):
            matches = self._in(resolved, lhs, condition.value)
            return ~matches if condition.op == "NOT IN" else matches
        return self._match(resolved, lhs, condition.op, condition.value)

    def _alias(self, expression) -> str:
        name = f"soql_w{len(self.aliases)}"
        self.aliases[name] = expression
        return name

    def _null(self, resolved: Resolved, lhs: str) -> Q:
        condition = Q(**{f"{lhs}__isnull": True})
        if resolved.field.type in TEXT_TYPES:
            condition |= Q(**{lhs: ""})
        return condition

    def _match(self, resolved: Resolved, lhs: str, op: str, value: nodes.Value) -> Q:
        field, kind = resolved.field, resolved.field.type
        if isinstance(value, nodes.Null):
            if op not in ("=", "!="):
                raise operator_error(f"invalid operator on null value: {field.name} {op} null")
            condition = self._null(resolved, lhs)
            return ~condition if op == "!=" else condition
        if op == "LIKE":
            if kind not in TEXT_TYPES:
                raise operator_error(f"invalid operator on {TYPE_NAMES.get(kind, kind)} field: {field.name} LIKE")
            return self._like(resolved, lhs, value)
        if kind in ("date", "datetime"):
            return self._temporal(resolved, lhs, op, value)
        if kind == "boolean" and op not in ("=", "!="):
            raise operator_error(f"invalid operator on boolean field: {field.name} {op}")
        if op in LOOKUPS:
            return self._ordered(resolved, lhs, op, value)
        prepared = self._prepare(resolved, value)
        if prepared is NO_MATCH:
            return NOTHING if op == "=" else EVERYTHING
        if prepared is None or (prepared == "" and kind in TEXT_TYPES):  # an empty text is null, as in Salesforce
            condition = self._null(resolved, lhs)
        elif kind in TEXT_TYPES and kind != "picklist":
            condition = Q(**{f"{lhs}__iexact": prepared})
        else:
            condition = Q(**{lhs: prepared})
        return ~condition if op == "!=" else condition

    def _prepare(self, resolved: Resolved, value: nodes.Value) -> Any:
        """The stored value `value` stands for (= and IN), NO_MATCH, or None for an empty id."""
        field, kind = resolved.field, resolved.field.type
        if kind == "picklist":
            if not isinstance(value, nodes.String):
                raise filter_error(field.name, kind)
            wanted = value.value.strip().casefold()
            for sf_value, ours in (*field.picklist_values(), *field.aliases):
                if sf_value.casefold() == wanted:
                    return ours
            return NO_MATCH
        if kind in TEXT_TYPES:
            if not isinstance(value, nodes.String):
                raise filter_error(field.name, kind)
            return value.value
        if kind in ("id", "reference"):
            return self._id(resolved, value)
        if kind == "boolean":
            if not isinstance(value, nodes.Boolean):
                raise filter_error(field.name, kind)
            return value.value
        number = self._number(resolved, value)
        if kind in ("int", "percent"):
            return int(number) if number == number.to_integral_value() else NO_MATCH
        return float(number) if kind == "double" else number

    def _id(self, resolved: Resolved, value: nodes.Value) -> int | object | None:
        if not isinstance(value, nodes.String):
            raise filter_error(resolved.field.name, "id")
        if value.value == "":
            return None
        try:
            name, pk = from_sf_id(value.value)
        except InvalidId:
            raise operator_error(f"invalid ID field: {value.value}") from None
        return pk if name == resolved.field.reference_to else NO_MATCH

    def _number(self, resolved: Resolved, value: nodes.Value) -> Decimal:
        field = resolved.field
        if field.type != "int" and field.type not in NUMBER_TYPES:
            raise operator_error(f"field '{field.name}' can not be filtered in a query call")
        if not isinstance(value, nodes.Number):
            raise filter_error(field.name, field.type)
        if abs(value.value) >= MAX_NUMBER:
            raise SalesforceError("MALFORMED_QUERY", f"number out of range: {value.value}")
        return value.value

    def _ordered(self, resolved: Resolved, lhs: str, op: str, value: nodes.Value) -> Q:
        """<, >, <=, >= on text (as stored), picklists (their stored value), ids (record order) and numbers."""
        kind = resolved.field.type
        if kind in ("int", "percent"):
            number = self._number(resolved, value)
            if number != number.to_integral_value():  # a fraction against whole numbers: round the bound inward
                number = Decimal(math.floor(number) if op in (">", "<=") else math.ceil(number))
            # Null never compares; spelled out because Django drops a bound outside the column's range altogether.
            return Q(**{f"{lhs}__{LOOKUPS[op]}": int(number), f"{lhs}__isnull": False})
        prepared = self._prepare(resolved, value)
        if prepared is NO_MATCH and kind == "picklist":
            prepared = value.value
        if prepared is NO_MATCH or prepared is None:
            return NOTHING
        return Q(**{f"{lhs}__{LOOKUPS[op]}": prepared})

    def _in(self, resolved: Resolved, lhs: str, values: tuple[nodes.Value, ...]) -> Q:
        """IN as one `x IN (…)` (text: `lower(x) IN (…)`), not an OR per value: databases cap expression depth."""
        kind = resolved.field.type
        present = [value for value in values if not isinstance(value, nodes.Null)]
        if kind in ("date", "datetime"):
            condition = reduce(or_, (self._temporal(resolved, lhs, "=", value) for value in present), NOTHING)
        elif kind in TEXT_TYPES and kind != "picklist":
            prepared = {self._prepare(resolved, value).lower() for value in present}
            condition = (
                Q(**{f"{self._alias(Lower(resolved.expression))}__in": sorted(prepared)}) if prepared else NOTHING
            )
        else:
            prepared = [self._prepare(resolved, value) for value in present]
            kept = {item for item in prepared if item is not NO_MATCH and item is not None}
            condition = Q(**{f"{lhs}__in": sorted(kept, key=str)}) if kept else NOTHING
            if None in prepared:
                condition |= self._null(resolved, lhs)
        if len(present) < len(values):
            condition |= self._null(resolved, lhs)
        return condition

    def _like(self, resolved: Resolved, lhs: str, value: nodes.Value) -> Q:
        field = resolved.field
        if not isinstance(value, nodes.String):
            raise filter_error(field.name, "string")
        parts = value.like_parts()
        if field.type == "picklist":
            matching = [ours for sf_value, ours in field.picklist_values() if like_matches(parts, sf_value)]
            return Q(**{f"{lhs}__in": matching}) if matching else NOTHING
        wildcards = [text for text, literal in parts if not literal]
        segments = ["".join(text for text, _ in segment) for segment in _segments(parts)]
        if not wildcards:
            return Q(**{f"{lhs}__iexact": segments[0]})
        if "_" not in wildcards:  # only %: starts with / ends with / contains, which databases run without a regex
            if len(segments) == 2 and not segments[0] and segments[1]:
                return Q(**{f"{lhs}__iendswith": segments[1]})
            if len(segments) == 2 and segments[0] and not segments[1]:
                return Q(**{f"{lhs}__istartswith": segments[0]})
            if len(segments) == 3 and not segments[0] and not segments[2]:
                return Q(**{f"{lhs}__icontains": segments[1]})
        return Q(**{f"{lhs}__iregex": like_regex(parts, atomic=connection.vendor == "sqlite")})

    def _temporal(self, resolved: Resolved, lhs: str, op: str, value: nodes.Value) -> Q:
        field = resolved.field
        if field.type == "datetime" and isinstance(value, nodes.DateTimeValue):
            if op in LOOKUPS:
                return Q(**{f"{lhs}__{LOOKUPS[op]}": value.value})
            return ~Q(**{lhs: value.value}) if op == "!=" else Q(**{lhs: value.value})
        if isinstance(value, nodes.DateLiteral):
            try:
                days = dates.date_range(value)
            except (OverflowError, ValueError):
                raise SalesforceError("MALFORMED_QUERY", f"date literal out of range: {value.name}:{value.n}") from None
        elif field.type == "date" and isinstance(value, nodes.DateValue) and value.value < date.max:
            days = (value.value, value.value + timedelta(days=1))
        elif field.type == "date" and isinstance(value, nodes.DateValue):
            days = (value.value, None)
        else:
            raise filter_error(field.name, field.type)
        start, end = dates.as_datetimes(days) if resolved.is_datetime_column else days
        return _range(lhs, op, start, end)


def _range(lhs: str, op: str, start: date | datetime, end: date | datetime | None) -> Q:
    """`op` against the half-open range [start, end) of days, as Salesforce compares a field to a date literal."""
    after_end = Q(**{f"{lhs}__gte": end}) if end is not None else NOTHING
    before_end = Q(**{f"{lhs}__lt": end}) if end is not None else ~Q(**{f"{lhs}__isnull": True})
    within = Q(**{f"{lhs}__gte": start}) & before_end
    conditions = {
        "=": within,
        "!=": ~within,
        "<": Q(**{f"{lhs}__lt": start}),
        "<=": before_end,
        ">": after_end,
        ">=": Q(**{f"{lhs}__gte": start}),
    }
    return conditions[op]


def _segments(parts: list[tuple[str, bool]]) -> list[list[tuple[str, bool]]]:
    """Split LIKE pieces at each % (consecutive % count as one)."""
    segments: list[list[tuple[str, bool]]] = [[]]
    previous_was_percent = False
    for text, literal in parts:
        if not literal and text == "%":
            if not previous_was_percent:
                segments.append([])
            previous_was_percent = True
        else:
            segments[-1].append((text, literal))
            previous_was_percent = False
    return segments


def _escape(text: str) -> str:
    # Every ASCII punctuation or space character is escaped: read literally by Python's re and PostgreSQL alike.
    return "".join(f"\\{char}" if char.isascii() and not char.isalnum() else char for char in text)


def like_regex(parts: list[tuple[str, bool]], *, atomic: bool = False) -> str:
    """A regular expression matching what a SOQL LIKE pattern matches (the whole value, line breaks included).

    `atomic` (Python's engine, which SQLite uses) takes each %-separated segment at its first place, which is
    enough for a LIKE pattern and keeps patterns such as '%a%a%a%b' from backtracking.
    """
    any_char = "(?:.|\\n)"
    segments = ["".join(_escape(t) if lit else any_char for t, lit in segment) for segment in _segments(parts)]
    start, end = ("\\A", "\\Z") if atomic else ("^", "$")
    if len(segments) == 1:
        return f"{start}{segments[0]}{end}"
    first, *middle, last = segments
    if atomic:
        body = "".join(f"(?>{any_char}*?{segment})" for segment in middle)
    else:
        body = "".join(f"{any_char}*{segment}" for segment in middle)
    return f"{start}{first}{body}{any_char}*{last}{end}"


def like_matches(parts: list[tuple[str, bool]], value: str) -> bool:
    """Whether `value` matches a LIKE pattern, case-insensitively (picklists are matched in Python)."""
    return re.search(like_regex(parts, atomic=True), value, flags=re.IGNORECASE) is not None
