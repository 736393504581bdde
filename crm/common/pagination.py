"""Keyset (cursor) pagination: no COUNT(*), each record exactly once while rows are added."""

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    ordering = ("-created_at", "-id")

    def get_page_size(self, request):
        # API.md: larger values are clamped, junk falls back to the default.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            size = int(raw)
        except (TypeError, ValueError):
            return self.page_size
        return max(1, min(size, self.max_page_size))

    def get_ordering(self, request, queryset, view):
        ordering = super().get_ordering(request, queryset, view)
        # A unique last key makes the cursor position exact.
        if ordering and ordering[-1].lstrip("-") not in ("id", "pk"):
            descending = ordering[0].startswith("-")
            ordering = (*ordering, "-id" if descending else "id")
        return ordering

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        return schema
