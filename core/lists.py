"""How a rep shapes a record list: its columns (`cols=`), the column it sorts by (`sort=`) and its record count.

The URL holds the shape, so a link, a bookmark or a saved view reopens the same list. Unknown column names in
`cols=` are ignored; a `sort=` that names no sortable column falls back to the list's default order (an old link
or a hand-edited URL still opens the list). Sorting is by one model field of the list's own table, then by id:
the keyset pager (core.keyset) needs exactly that order to page without duplicates or gaps.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, models
from django.http import QueryDict

# Query parameters that belong to one page of a list, not to its shape: a saved view or a sort link drops them.
PAGE_PARAMS = ("after", "before")
DEFAULT_EXACT_COUNT_LIMIT = 10_000


@dataclass(frozen=True)
class Column:
    """One column a list can show: `key` in `cols=`, the model field its header sorts by (`sort`, "" = none),
    its cell CSS classes, whether it is always shown (`fixed`) or shown until the rep picks columns (`default`),
    and, for a header that is more than a label, the template of its whole <th> (`head`)."""

    key: str
    label: str
    sort: str = ""
    css: str = ""
    fixed: bool = False
    default: bool = True
    head: str = ""


@dataclass(frozen=True)
class ShownColumn:
    """A column as this request shows it: its sort state (`aria_sort`) and the link its header follows."""

    column: Column
    aria_sort: str = ""
    sort_link: str = ""

    def __getattr__(self, name: str):
        return getattr(self.column, name)


@dataclass
class ListShape:
    """The columns shown, the chooser's choices, the order, and the query parameters that keep them."""

    columns: list[ShownColumn]
    choices: list[tuple[Column, bool]]
    sort: str
    sort_param: str
    cols_param: list[str]

    @property
    def width(self) -> int:
        return len(self.columns)


def _text_field(model: type[models.Model], name: str) -> bool:
    return isinstance(model._meta.get_field(name), (models.CharField, models.TextField))


def sort_options(model: type[models.Model], columns: tuple[Column, ...]) -> set[str]:
    """Every accepted `sort=` value: each sortable column's field, ascending or descending."""
    fields = {column.sort for column in columns if column.sort}
    return fields | {f"-{name}" for name in fields}


def shape_list(
    query: QueryDict, *, model: type[models.Model], columns: tuple[Column, ...], default_sort: str
) -> ListShape:
    """Read `cols=` (repeated or comma-separated) and `sort=` from `query` against the list's `columns`."""
    known = {column.key for column in columns}
    asked = [key.strip() for value in query.getlist("cols") for key in value.split(",")]
    chosen = [key for key in dict.fromkeys(asked) if key in known]
    if chosen:
        shown = [column for column in columns if column.fixed or column.key in chosen]
    else:
        shown = [column for column in columns if column.fixed or column.default]
    raw_sort = query.get("sort", "")
    sort = raw_sort if raw_sort in sort_options(model, columns) else default_sort
    base = query.copy()
    for name in PAGE_PARAMS:
        base.pop(name, None)
    shown_columns = []
    for column in shown:
        if not column.sort:
            shown_columns.append(ShownColumn(column))
            continue
        if sort == column.sort:
            aria, target = "ascending", f"-{column.sort}"
        elif sort == f"-{column.sort}":
            aria, target = "descending", column.sort
        else:
            # Names read A→Z first; numbers and dates biggest / newest first.
            aria, target = "", column.sort if _text_field(model, column.sort) else f"-{column.sort}"
        link = base.copy()
        link["sort"] = target
        shown_columns.append(ShownColumn(column, aria_sort=aria, sort_link=f"?{link.urlencode()}"))
    shown_keys = {column.key for column in shown}
    return ListShape(
        columns=shown_columns,
        choices=[(column, column.key in shown_keys) for column in columns],
        sort=sort,
        sort_param=sort if raw_sort == sort else "",
        cols_param=chosen,
    )


@dataclass(frozen=True)
class RecordCount:
    """How many records a list holds: exact below the limit, else an estimate (`exact` False) or, where the
    database gives no estimate, a floor (`at_least`: "10,000+")."""

    value: int
    exact: bool
    at_least: bool = False

    def __str__(self) -> str:
        if self.exact:
            return f"{self.value:,}"
        if self.at_least:
            return f"{self.value:,}+"
        return f"about {_round(self.value):,}"


def _round(value: int) -> int:
    """Two significant figures: an estimate claims no more than that."""
    if value < 100:
        return value
    digits = len(str(value)) - 2
    return round(value, -digits)


def exact_count_limit() -> int:
    return getattr(settings, "FUNNEL_LIST_EXACT_COUNT_LIMIT", DEFAULT_EXACT_COUNT_LIMIT)


def _planner_rows(queryset: models.QuerySet) -> int:
    """PostgreSQL's estimate of the rows `queryset` returns, from its plan: no rows are read."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def count_records(queryset: models.QuerySet, *, limit: int | None = None) -> RecordCount:
    """Count `queryset`: exactly when it holds at most `limit` rows, else an estimate.

    The count is capped at `limit` + 1 rows, so it reads at most that many whatever the table size. A full cap
    reads "about" PostgreSQL's plan estimate (never below the cap: a plan can guess low), and "`limit`+" where the
    database gives no estimate. One query for a list under the limit, two above it on PostgreSQL. Counting first
    keeps a small list exact even when the planner guesses it large.
    """
    limit = exact_count_limit() if limit is None else limit
    rows = queryset.order_by().values("pk")
    counted = rows[: limit + 1].count()
    if counted <= limit:
        return RecordCount(counted, exact=True)
    if connections[queryset.db].vendor == "postgresql":
        return RecordCount(max(_planner_rows(rows), limit + 1), exact=False)
    return RecordCount(limit, exact=False, at_least=True)
