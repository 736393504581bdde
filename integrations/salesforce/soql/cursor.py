"""`nextRecordsUrl` locators: signed, opaque keyset cursors; no state is kept on the server.

A locator is "01g" + a signed token + "-<rows returned so far>", as Salesforce's look. The token holds the user,
the query text, the sort key and id of the last row returned, the rows returned and the total: the next batch
re-runs the query from just after that row, so rows inserted or deleted meanwhile never shift a batch (a row is
never returned twice nor skipped when others come and go). A locator is valid for its user for 24 hours.

A long query (long IN lists) would make a URL longer than servers accept: its text then waits in the cache for
24 hours and the locator carries its digest instead.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core import signing
from django.core.cache import cache

from integrations.salesforce.errors import SalesforceError

SALT = "integrations.salesforce.soql.locator"
PREFIX = "01g"
MAX_AGE = 24 * 60 * 60
MAX_INLINE_QUERY = 1500  # characters of query text kept in the locator itself


@dataclass(frozen=True)
class Cursor:
    user_id: int
    query: str
    include_deleted: bool
    keys: tuple[Any, ...]  # the last row's sort values
    pk: int  # the last row's id
    returned: int  # rows returned so far
    total: int  # totalSize of the query


def invalid_locator() -> SalesforceError:
    return SalesforceError("INVALID_QUERY_LOCATOR", "invalid query locator")


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    if isinstance(value, float):
        return {"f": repr(value)}
    raise TypeError(f"cannot put {type(value).__name__} in a locator")


def _decode(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    ((kind, text),) = value.items()
    return {"dt": datetime.fromisoformat, "d": date.fromisoformat, "n": Decimal, "f": float}[kind](text)


def dump(cursor: Cursor) -> str:
    query: str | None = cursor.query
    digest = None
    if len(query) > MAX_INLINE_QUERY:
        digest = hashlib.sha256(query.encode()).hexdigest()
        cache.set(f"soql:query:{digest}", query, MAX_AGE)
        query = None
    payload = {
        "u": cursor.user_id,
        "q": query,
        "h": digest,
        "a": cursor.include_deleted,
        "k": [_encode(value) for value in cursor.keys],
        "p": cursor.pk,
        "r": cursor.returned,
        "t": cursor.total,
    }
    token = signing.dumps(payload, salt=SALT, compress=True)
    return f"{PREFIX}{token}-{cursor.returned}"


def load(locator: str, *, user_id: int) -> Cursor:
    """The cursor of `locator`; INVALID_QUERY_LOCATOR when it is tampered with, expired, or another user's."""
    token, sep, returned = locator.rpartition("-")
    if not locator.startswith(PREFIX) or not sep or not returned.isdigit():
        raise invalid_locator()
    try:
        payload = signing.loads(token[len(PREFIX) :], salt=SALT, max_age=MAX_AGE)
        query = payload["q"] if payload["h"] is None else cache.get(f"soql:query:{payload['h']}")
        if not isinstance(query, str):
            raise invalid_locator()
        cursor = Cursor(
            user_id=payload["u"],
            query=query,
            include_deleted=bool(payload["a"]),
            keys=tuple(_decode(value) for value in payload["k"]),
            pk=payload["p"],
            returned=payload["r"],
            total=payload["t"],
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise invalid_locator() from None
    if cursor.user_id != user_id or str(cursor.returned) != returned:
        raise invalid_locator()
    return cursor
