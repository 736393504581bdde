"""The SOQL syntax tree: immutable values, so two parses of the same query compare equal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

# Comparison operators as the tree spells them (`<>` is read as `!=`).
OPERATORS = ("=", "!=", "<", ">", "<=", ">=", "LIKE", "IN", "NOT IN")

# Escapes a SOQL string may hold; `\\%` and `\\_` are a literal % and _ (needed in LIKE patterns).
STRING_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
LIKE_ESCAPES = ("%", "_")


class StringEscapeError(ValueError):
    """A backslash sequence SOQL does not define."""


@dataclass(frozen=True)
class FieldPath:
    """`Name`, or a parent field `Account.Name` / `Owner.Name` (names as written; matched case-insensitively)."""

    parts: tuple[str, ...]

    def __str__(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Count:
    """`COUNT()` (field None: the number of rows) or `COUNT(Field)` (rows where Field is not null)."""

    field: FieldPath | None = None


@dataclass(frozen=True)
class String:
    """A quoted string, kept in its escaped source form so LIKE can tell `\\%` from `%`."""

    raw: str

    @property
    def value(self) -> str:
        return "".join(text for text, _ in decode_string(self.raw, like=False))

    def like_parts(self) -> list[tuple[str, bool]]:
        """(text, is_literal) pieces: a non-literal piece is one wildcard character, `%` or `_`."""
        return decode_string(self.raw, like=True)


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Boolean:
    value: bool


@dataclass(frozen=True)
class Null:
    pass


@dataclass(frozen=True)
class DateValue:
    value: date


@dataclass(frozen=True)
class DateTimeValue:
    value: datetime  # always aware


@dataclass(frozen=True)
class DateLiteral:
    """`TODAY`, `THIS_MONTH`, `LAST_N_DAYS:30` …: a range of days resolved when the query runs."""

    name: str  # upper-case, e.g. "LAST_N_DAYS"
    n: int | None = None


Value = String | Number | Boolean | Null | DateValue | DateTimeValue | DateLiteral


@dataclass(frozen=True)
class Comparison:
    field: FieldPath
    op: str  # one of OPERATORS
    value: Value | tuple[Value, ...]  # a tuple for IN / NOT IN


@dataclass(frozen=True)
class And:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


Condition = Comparison | And | Or | Not


@dataclass(frozen=True)
class OrderItem:
    field: FieldPath
    descending: bool = False
    nulls_first: bool | None = None  # None: as written without NULLS (nulls sort as the smallest value)

    @property
    def effective_nulls_first(self) -> bool:
        return (not self.descending) if self.nulls_first is None else self.nulls_first


@dataclass(frozen=True)
class Query:
    select: tuple[FieldPath | Count, ...]
    sobject: str
    where: Condition | None = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None

    @property
    def is_count(self) -> bool:
        return any(isinstance(item, Count) for item in self.select)


def decode_string(raw: str, *, like: bool) -> list[tuple[str, bool]]:
    """Split an escaped string body into (text, is_literal) pieces; wildcards are separate pieces in LIKE mode."""
    parts: list[tuple[str, bool]] = []
    chars = iter(raw)
    for char in chars:
        if char == "\\":
            escaped = next(chars, "")
            if escaped.lower() in STRING_ESCAPES:
                parts.append((STRING_ESCAPES[escaped.lower()], True))
            elif escaped in LIKE_ESCAPES:  # a literal % or _ (the same character outside LIKE)
                parts.append((escaped, True))
            else:
                raise StringEscapeError(f"Invalid string literal: illegal escape sequence '\\{escaped}'")
        elif like and char in LIKE_ESCAPES:
            parts.append((char, False))
        else:
            parts.append((char, True))
    return parts


def encode_string(value: str) -> String:
    """The String node whose value is `value` (every special character escaped)."""
    reverse = {v: k for k, v in STRING_ESCAPES.items()}
    return String("".join(f"\\{reverse[c]}" if c in reverse else c for c in value))
