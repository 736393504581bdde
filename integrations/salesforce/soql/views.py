"""GET /services/data/vXX.X/query/?q=SOQL and /queryAll/, and their `nextRecordsUrl` locators.

Batches hold 2,000 records (fewer with the `Sforce-Query-Options: batchSize=N` header, 200 to 2,000). queryAll
answers as query does: deleted records are removed at once (there is no recycle bin), so it never returns them.
"""

from __future__ import annotations

import re

from rest_framework.response import Response

from integrations.salesforce.errors import SalesforceError, malformed_query
from integrations.salesforce.views.base import SalesforceView

from . import cursor
from .compiler import BATCH_SIZE, CompiledQuery, compile_query
from .nodes import Query
from .parser import SoqlSyntaxError, parse_query

MIN_BATCH_SIZE = 200
_BATCH_OPTION = re.compile(r"batchSize\s*=\s*(\d{1,9})", re.IGNORECASE)


def parse(text: str) -> Query:
    try:
        return parse_query(text)
    except SoqlSyntaxError as exc:
        raise malformed_query(exc.message) from None


def batch_size(header: str | None) -> int:
    """The batch size a client asks for in `Sforce-Query-Options`, kept within 200 to 2,000 as Salesforce does."""
    match = _BATCH_OPTION.search(header or "")
    if not match:
        return BATCH_SIZE
    return min(max(int(match.group(1)), MIN_BATCH_SIZE), BATCH_SIZE)


class QueryView(SalesforceView):
    """GET …/query/?q=SELECT …, or …/query/<locator> for the next batch."""

    resource = "query"

    def get(self, request, version, locator=None):
        if locator is None:
            if "q" not in request.query_params:
                raise malformed_query("A query is required: pass it as the q parameter.")
            text = request.query_params["q"]
            compiled = compile_query(parse(text), request.user)
            if compiled.query.is_count:
                return Response(self._count(compiled))
            return Response(self._batch(compiled, text, total=compiled.total(), after=None, returned=0))
        position = cursor.load(locator, user_id=request.user.pk)
        if position.include_deleted != (self.resource == "queryAll"):
            raise cursor.invalid_locator()
        try:
            compiled = compile_query(parse(position.query), request.user)
        except SalesforceError:
            raise cursor.invalid_locator() from None
        after = (position.keys, position.pk)
        return Response(
            self._batch(compiled, position.query, total=position.total, after=after, returned=position.returned)
        )

    def _count(self, compiled: CompiledQuery) -> dict:
        (item,) = compiled.query.select
        if item.field is None:
            return {"totalSize": compiled.total(), "done": True, "records": []}
        record = {"attributes": {"type": "AggregateResult"}, "expr0": compiled.aggregate()}
        return {"totalSize": 1, "done": True, "records": [record]}

    def _batch(self, compiled: CompiledQuery, text: str, *, total: int, after, returned: int) -> dict:
        limit = compiled.query.limit
        size = batch_size(self.request.headers.get("Sforce-Query-Options"))
        if limit is not None:
            size = min(size, max(limit - returned, 0))
        rows, more = compiled.rows(after=after, limit=size)
        returned += len(rows)
        if limit is not None and returned >= limit:
            more = False
        body = {
            "totalSize": total,
            "done": not more,
            "records": [compiled.record(row, self.version) for row in rows],
        }
        if more:
            last = rows[-1]
            position = cursor.Cursor(
                user_id=self.request.user.pk,
                query=text,
                include_deleted=self.resource == "queryAll",
                keys=tuple(last[key.alias] for key in compiled.order),
                pk=last["pk"],
                returned=returned,
                total=total,
            )
            body["nextRecordsUrl"] = f"/services/data/v{self.version}/{self.resource}/{cursor.dump(position)}"
        return body


class QueryAllView(QueryView):
    """GET …/queryAll/?q=…: the same as query (deleted records are gone for good, so there are none to add)."""

    resource = "queryAll"
