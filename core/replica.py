"""The optional read replica: reports and exports read from it, everything else uses the primary (`default`).

`DATABASE_REPLICA_URL` adds the `replica` database alias (crm/settings/base.py). A view that only reports — every
report page, the report APIs under /api/v1/reports/, the funnel API, the CSV and XLSX exports — is decorated with
`reads_replica` (or enters `reading_replica()`, as the weekly digest does for its figures): inside it `ReplicaRouter` sends reads to the replica. Everything
else reads and writes the primary: writes always, `select_for_update` and `get_or_create` (Django routes them as
writes), and every read outside a report, so a request that writes reads its own writes. Without the alias every
read goes to the primary and nothing changes.

The trade-off: a replica applies the primary's changes a moment later (streaming replication lag, usually well
under a second, seconds under heavy load), so a report may be a few seconds behind the record pages. The session
and the signed-in user are read before the view runs, on the primary: a fresh sign-in is never lost to lag.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"

F = TypeVar("F", bound=Callable)

_reporting: ContextVar[bool] = ContextVar("funnel_reading_replica", default=False)


def replica_configured() -> bool:
    """Tell whether the `replica` database alias exists (DATABASE_REPLICA_URL, or the test mirror)."""
    return REPLICA in connections.settings


@contextmanager
def reading_replica() -> Iterator[None]:
    """Send the reads made inside this block to the replica, when there is one."""
    token = _reporting.set(True)
    try:
        yield
    finally:
        _reporting.reset(token)


def reads_replica(view: F) -> F:
    """Run a report view (a function view or a DRF handler method) inside `reading_replica()`.

    Put it below `login_required`: the session and the user are then read from the primary, before the block.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with reading_replica():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def read_alias() -> str:
    """Return the alias that reads go to here: `replica` inside a report with a replica configured, else `default`."""
    return REPLICA if _reporting.get() and replica_configured() else DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Reads inside `reading_replica()` go to the replica; writes and migrations always go to the primary."""

    def db_for_read(self, model, **hints) -> str | None:
        # Outside a report: no opinion, so Django keeps its own choice (an instance's database, else default).
        return REPLICA if _reporting.get() and replica_configured() else None

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # The replica holds the primary's rows: a row read from one may point at a row read from the other.
        aliases = {DEFAULT_DB_ALIAS, REPLICA}
        return True if obj1._state.db in aliases and obj2._state.db in aliases else None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS
