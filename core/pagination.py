"""Keyset (cursor) pagination: no COUNT(*), each record exactly once while rows are added.

DRF's own CursorPagination keys the position on the first ordering field only
and walks past equal values with an OFFSET, which repeats or skips rows when
many share a value (score 0, one last name) and degrades to a scan at depth.
This one keys on every ordering field plus the primary key, so a page is an
index range read at any depth.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connections
from django.db.models import BooleanField, F, Q, QuerySet
from django.db.models.expressions import OrderBy, RawSQL
from rest_framework import exceptions, pagination
from rest_framework.filters import OrderingFilter
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param

DEFAULT_ORDERING = ("-created_at",)


def _encode(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def _decode(raw: str) -> dict[str, Any]:
    try:
        padded = raw + "=" * (-len(raw) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode())
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("v"), list):
        raise exceptions.ValidationError({"cursor": ["Invalid cursor."]})
    return payload


class CursorPagination(pagination.BasePagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    cursor_query_param = "cursor"
    ordering = DEFAULT_ORDERING

    def get_page_size(self, request) -> int:
        # API.md: larger values are clamped, junk falls back to the default.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            return self.page_size
        return max(1, min(size, self.max_page_size))

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        """The caller's `ordering=` (as OrderingFilter validated it), else the view's, plus the primary key."""
        ordering = None
        for backend in getattr(view, "filter_backends", []):
            if issubclass(backend, OrderingFilter):
                ordering = backend().get_ordering(request, queryset, view)
                break
        if not ordering:
            ordering = getattr(view, "ordering", None) or self.ordering
        if isinstance(ordering, str):
            ordering = (ordering,)
        ordering = tuple(field for field in ordering if field.lstrip("-") not in ("id", "pk"))
        descending = ordering[0].startswith("-") if ordering else True
        return (*ordering, "-id" if descending else "id")

    # --- paging -------------------------------------------------------------------------
    def paginate_queryset(self, queryset: QuerySet, request, view=None):
        self.request = request
        self.base_url = request.build_absolute_uri()
        self.page_size = self.get_page_size(request)
        self.ordering = self.get_ordering(request, queryset, view)
        self.fields = [name.lstrip("-") for name in self.ordering]
        self.model = queryset.model
        # Nullable sort fields (a lead's conversion_probability) put their NULLs last in either direction, as the
        # HTML lists do (core.keyset): an unpredicted lead never tops `ordering=-conversion_probability`.
        self.nullable = {name for name in self.fields if self.model._meta.get_field(name).null}

        raw = request.query_params.get(self.cursor_query_param)
        cursor = _decode(raw) if raw else None
        reverse = bool(cursor and cursor.get("r"))
        if cursor is not None:
            if cursor.get("o") != ",".join(self.ordering) or len(cursor["v"]) != len(self.fields):
                raise exceptions.ValidationError({"cursor": ["This cursor belongs to another ordering."]})
            values = self._parse_values(cursor["v"])
            queryset = queryset.filter(self._after(values, reverse=reverse, connection=connections[queryset.db]))
        ordering = [self._flip(name) for name in self.ordering] if reverse else list(self.ordering)
        rows = list(
            queryset.order_by(*[self._order_by(name, reverse=reverse) for name in ordering])[: self.page_size + 1]
        )
        has_more = len(rows) > self.page_size
        rows = rows[: self.page_size]
        if reverse:
            rows.reverse()
            self.has_next, self.has_previous = True, has_more
        else:
            self.has_next, self.has_previous = has_more, cursor is not None
        self.page = rows
        return rows

    def get_paginated_response(self, data):
        return Response({"next": self.get_next_link(), "previous": self.get_previous_link(), "results": data})

    def get_next_link(self) -> str | None:
        if not self.has_next or not self.page:
            return None
        return self._link(self.page[-1], reverse=False)

    def get_previous_link(self) -> str | None:
        if not self.has_previous or not self.page:
            return None
        return self._link(self.page[0], reverse=True)

    # --- keyset helpers ------------------------------------------------------------------
    @staticmethod
    def _flip(name: str) -> str:
        return name[1:] if name.startswith("-") else f"-{name}"

    def _order_by(self, name: str, *, reverse: bool) -> str | OrderBy:
        field = name.lstrip("-")
        if field not in self.nullable:
            return name
        nulls = {"nulls_first": True} if reverse else {"nulls_last": True}
        return F(field).desc(**nulls) if name.startswith("-") else F(field).asc(**nulls)

    def _after(self, values: list[Any], *, reverse: bool, connection) -> Q | RawSQL:
        """Rows strictly after `values` in the page order (before them when going back)."""
        directions = {name.startswith("-") != reverse for name in self.ordering}
        if len(directions) == 1 and not self.nullable:
            # A row comparison `(score, id) < (40, 17)` is one index range condition on PostgreSQL and SQLite;
            # the equivalent OR form makes the scan start at the first field only and filter the ties.
            opts = self.model._meta
            fields = [opts.get_field(name) for name in self.fields]
            columns = ", ".join(
                f"{connection.ops.quote_name(opts.db_table)}.{connection.ops.quote_name(f.column)}" for f in fields
            )
            params = [f.get_db_prep_value(v, connection, prepared=False) for f, v in zip(fields, values, strict=True)]
            operator = "<" if directions.pop() else ">"
            placeholders = ", ".join(["%s"] * len(params))
            sql = f"({columns}) {operator} ({placeholders})"
            return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 - column names come from model metadata, values are parameters  # nosec B611
        condition = Q(pk__in=[])
        equal = Q()
        for name, value in zip(self.ordering, values, strict=True):
            field = name.lstrip("-")
            descending = name.startswith("-") != reverse
            if field in self.nullable:
                condition |= equal & self._after_nullable(field, value, descending=descending, reverse=reverse)
                equal &= Q(**{f"{field}__isnull": True}) if value is None else Q(**{field: value})
                continue
            condition |= equal & Q(**{f"{field}__{'lt' if descending else 'gt'}": value})
            equal &= Q(**{field: value})
        if self.fields[0] in self.nullable:
            return condition
        # The redundant bound on the first field lets the database start the index scan at the position.
        first, first_desc = self.fields[0], self.ordering[0].startswith("-") != reverse
        return Q(**{f"{first}__{'lte' if first_desc else 'gte'}": values[0]}) & condition

    @staticmethod
    def _after_nullable(field: str, value: Any, *, descending: bool, reverse: bool) -> Q:
        """Rows strictly after `value` on a nullable field whose NULLs come last (first when paging back)."""
        op = "lt" if descending else "gt"
        if reverse:
            # Going back the NULLs lead: after a NULL come all values, after a value only the further ones.
            return Q(**{f"{field}__isnull": False}) if value is None else Q(**{f"{field}__{op}": value})
        if value is None:
            return Q(pk__in=[])
        return Q(**{f"{field}__{op}": value}) | Q(**{f"{field}__isnull": True})

    def _parse_values(self, raw_values: list[Any]) -> list[Any]:
        values = []
        for name, raw in zip(self.fields, raw_values, strict=True):
            try:
                field = self.model._meta.get_field("id" if name == "pk" else name)
                value = field.to_python(raw)
            except (FieldDoesNotExist, ValidationError, TypeError, ValueError) as exc:
                raise exceptions.ValidationError({"cursor": ["Invalid cursor."]}) from exc
            if value is None and (raw is not None or name not in self.nullable):
                raise exceptions.ValidationError({"cursor": ["Invalid cursor."]})
            values.append(value)
        return values

    def _link(self, row, *, reverse: bool) -> str:
        values = []
        for name in self.fields:
            # A page holds model instances, or `.values()` rows where a list reads them (core.rows).
            value = row[name] if isinstance(row, dict) else getattr(row, name)
            if value is None:
                values.append(None)
                continue
            values.append(value.isoformat() if hasattr(value, "isoformat") else str(value))
        token = _encode({"o": ",".join(self.ordering), "v": values, "r": int(reverse)})
        url = remove_query_param(self.base_url, self.cursor_query_param)
        scheme, netloc, path, query, fragment = urlsplit(url)
        params = parse_qs(query, keep_blank_values=True)
        params[self.cursor_query_param] = [token]
        return urlunsplit((scheme, netloc, path, urlencode(params, doseq=True), fragment))

    # --- OpenAPI ---------------------------------------------------------------------------
    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["next", "previous", "results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view):
        return [
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": "The pagination cursor value (from `next` or `previous`).",
                "schema": {"type": "string"},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Number of results per page (default {self.page_size}, at most {self.max_page_size}).",
                "schema": {"type": "integer"},
            },
        ]
