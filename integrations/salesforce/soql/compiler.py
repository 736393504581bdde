"""A parsed query -> a queryset over the object's `visible(user)`, batches of rows, and Salesforce records.

Rows come back in the ORDER BY order, then by id, which makes the order total: each batch continues from the
sort key and id of the previous batch's last row (keyset paging, see cursor.py). Without ORDER BY rows come in
id order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.mapping import Field, SObject
from integrations.salesforce.objects import get_sobject

from . import nodes
from .filters import NOTHING, WhereCompiler
from .resolve import Relation, resolve

MAX_OFFSET = 2000  # as Salesforce
BATCH_SIZE = 2000


@dataclass(frozen=True)
class Column:
    """One selected field: its alias in the rows, its field, and the parent relations above it."""

    alias: str
    field: Field
    relations: tuple[Relation, ...]
    relation_aliases: tuple[str, ...]  # per relation: the alias of the (visible) parent's id


@dataclass(frozen=True)
class OrderKey:
    alias: str
    descending: bool
    nulls_first: bool


@dataclass
class CompiledQuery:
    query: nodes.Query
    sobject: SObject
    queryset: QuerySet  # visible rows matching WHERE
    user: Any = None
    columns: list[Column] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # alias -> expression of each selected value
    order: list[OrderKey] = field(default_factory=list)
    order_values: dict[str, Any] = field(default_factory=dict)

    def total(self) -> int:
        """totalSize: the rows the query returns, OFFSET and LIMIT applied (one COUNT query)."""
        count = max(self.queryset.count() - (self.query.offset or 0), 0)
        return count if self.query.limit is None else min(count, self.query.limit)

    def aggregate(self) -> int:
        """The value of COUNT(Field): the matching rows where the field is not null."""
        (item,) = self.query.select
        resolved = resolve(self.sobject, item.field, self.user)
        return self.queryset.aggregate(soql_count=Count(resolved.expression))["soql_count"]

    def rows(self, *, after: tuple[tuple, int] | None, limit: int) -> tuple[list[dict], bool]:
        """Up to `limit` rows after the (sort keys, id) `after` (or from OFFSET); and whether more remain."""
        queryset = self.queryset.annotate(**self.order_values)
        if after is not None:
            queryset = queryset.filter(keyset_after(self.order, *after))
        ordering = [
            F(key.alias).desc(**_nulls(key)) if key.descending else F(key.alias).asc(**_nulls(key))
            for key in self.order
        ]
        queryset = queryset.values("pk", *self.order_values, **self.values).order_by(*ordering, "pk")
        start = (self.query.offset or 0) if after is None else 0
        rows = list(queryset[start : start + limit + 1])
        return rows[:limit], len(rows) > limit

    def record(self, row: dict, version: str) -> dict:
        """One row as Salesforce returns it: attributes, the fields in SELECT order, parents nested (or null)."""
        record: dict[str, Any] = {"attributes": self._attributes(self.sobject, row["pk"], version)}
        for column in self.columns:
            target: dict | None = record
            for relation, pk_alias in zip(column.relations, column.relation_aliases, strict=True):
                if relation.name not in target:
                    pk = row[pk_alias]
                    parent = {"attributes": self._attributes(relation.sobject, pk, version)} if pk is not None else None
                    target[relation.name] = parent
                target = target[relation.name]
                if target is None:
                    break
            else:
                target[column.field.name] = column.field.to_sf(row[column.alias])
        return record

    @staticmethod
    def _attributes(sobject: SObject, pk: int, version: str) -> dict:
        return {"type": sobject.name, "url": sobject.url(pk, version)}


def _nulls(key: OrderKey) -> dict:
    return {"nulls_first": True} if key.nulls_first else {"nulls_last": True}


def keyset_after(order: list[OrderKey], keys: tuple, pk: int) -> Q:
    """Rows strictly after (keys, pk) in the order `order`, then id ascending."""
    condition = Q(pk__gt=pk)
    for key, value in reversed(list(zip(order, keys, strict=True))):
        if value is None:
            after = Q(**{f"{key.alias}__isnull": False}) if key.nulls_first else NOTHING
            same = Q(**{f"{key.alias}__isnull": True})
        else:
            after = Q(**{f"{key.alias}__{'lt' if key.descending else 'gt'}": value})
            if not key.nulls_first:
                after |= Q(**{f"{key.alias}__isnull": True})
            same = Q(**{key.alias: value})
        condition = after | (same & condition)
    return condition


def compile_query(query: nodes.Query, user) -> CompiledQuery:
    """Check `query` against the object table and build its queryset, starting from `visible(user)`."""
    if query.offset is not None and query.offset > MAX_OFFSET:
        raise SalesforceError("NUMBER_OUTSIDE_VALID_RANGE", f"Maximum SOQL offset allowed is {MAX_OFFSET}")
    sobject = get_sobject(query.sobject)
    queryset = sobject.visible(user)
    compiled = CompiledQuery(query, sobject, queryset, user)
    if query.where is not None:
        where = WhereCompiler(sobject, user)
        condition = where.compile(query.where)
        compiled.queryset = queryset.alias(**where.aliases).filter(condition)
    if query.is_count:
        (item,) = query.select
        if item.field is not None:
            resolve(sobject, item.field, user)  # an unknown field is an INVALID_FIELD before any counting
        if query.order_by:
            raise SalesforceError("MALFORMED_QUERY", "ORDER BY is not supported with COUNT()")
        return compiled
    relation_aliases: dict[tuple[str, ...], str] = {}
    for index, item in enumerate(query.select):
        resolved = resolve(sobject, item, user)
        aliases = []
        for depth in range(1, len(resolved.relations) + 1):
            chain = tuple(relation.name for relation in resolved.relations[:depth])
            if chain not in relation_aliases:
                relation_aliases[chain] = alias = f"soql_r{len(relation_aliases)}"
                compiled.values[alias] = resolve(sobject, nodes.FieldPath((*chain, "Id")), user).expression
            aliases.append(relation_aliases[chain])
        alias = f"soql_c{index}"
        compiled.values[alias] = resolved.expression
        compiled.columns.append(Column(alias, resolved.field, resolved.relations, tuple(aliases)))
    for index, item in enumerate(query.order_by):
        resolved = resolve(sobject, item.field, user)
        alias = f"soql_o{index}"
        compiled.order_values[alias] = resolved.expression
        compiled.order.append(OrderKey(alias, item.descending, item.effective_nulls_first))
    return compiled
