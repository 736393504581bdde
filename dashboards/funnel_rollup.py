"""The funnel rollup: counts per (created day, owner, source) that the dashboard sums instead of the cohort's leads.

On PostgreSQL the database keeps it, in the same transaction as every write to the lead table, whoever writes:
the services one lead at a time, the import's and the scorer's set-based statements, conversion, erasure. Three
statement-level triggers on `leads_lead` (after INSERT, UPDATE, DELETE; `REFERENCING` the statement's old and new
rows, so a 20,000-row import chunk costs one grouped INSERT, not 20,000 calls) append what changed to
`FunnelDelta`: +1 lead with its milestones and velocity seconds for a new row, -1 for a deleted one, both for an
updated row whose day, owner, source or milestones changed (any other update — last activity, score — writes
nothing). Appending takes no lock that another writer waits on: two reps' leads of the same day and source never
queue behind one row.

`fold_deltas` (beat, every minute, and before a rebuild) moves the deltas into `FunnelDay` in one statement;
readers sum both tables (`funnel_rows`), so a report is exact whether or not the fold has run. `rebuild` recounts
everything from the leads with writers held off (`SHARE` lock): after changing settings.TIME_ZONE (a day is a date
in that zone, written into the trigger functions) or to check the rollup. The embedded SQLite default holds small
data and counts the cohort directly (`enabled()` is false there).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from dashboards.models import FunnelDay, FunnelDelta

LEADS = "leads_lead"
DAY = FunnelDay._meta.db_table
DELTA = FunnelDelta._meta.db_table
LOCK_KEY = 4_206_117  # pg advisory lock: one fold or rebuild at a time
COUNTERS = [
    "leads",
    "mqls",
    "sqls",
    "converted",
    "lead_to_mql_n",
    "lead_to_mql_seconds",
    "mql_to_sql_n",
    "mql_to_sql_seconds",
    "sql_to_converted_n",
    "sql_to_converted_seconds",
    "lead_to_converted_n",
    "lead_to_converted_seconds",
]
STEPS = [  # counter prefix, end, start: the same steps as dashboards.selectors.velocity.VELOCITY_STEPS
    ("lead_to_mql", "mql_at", "created_at"),
    ("mql_to_sql", "qualified_at", "mql_at"),
    ("sql_to_converted", "converted_at", "qualified_at"),
    ("lead_to_converted", "converted_at", "created_at"),
]
TRACKED = ["created_at", "owner_id", "source", "mql_at", "qualified_at", "converted_at"]


def enabled() -> bool:
    return connection.vendor == "postgresql"


def _key(row: str, zone: str) -> list[str]:
    return [f"({row}.created_at AT TIME ZONE '{zone}')::date", f"{row}.owner_id", f"{row}.source"]


def _counts(row: str, sign: str) -> list[str]:
    """One lead's contribution to each counter, times `sign` ('1' or '-1')."""
    values = [sign, *(f"{sign} * ({row}.{field} IS NOT NULL)::int" for field in ("mql_at", "qualified_at"))]
    values.append(f"{sign} * ({row}.converted_at IS NOT NULL)::int")
    for _prefix, end, start in STEPS:
        both = f"{row}.{end} IS NOT NULL AND {row}.{start} IS NOT NULL"
        values.append(f"{sign} * ({both})::int")
        values.append(f"{sign} * COALESCE(EXTRACT(EPOCH FROM ({row}.{end} - {row}.{start})), 0)::float8")
    return values


def _append(select: str) -> str:
    """INSERT the grouped contributions of `select` (rows of day, owner_id, source, counters…) into the deltas."""
    columns = ", ".join(["day", "owner_id", "source", *COUNTERS])
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    nonzero = " OR ".join(f"SUM({c}) <> 0" for c in COUNTERS)
    return (
        f"INSERT INTO {DELTA} ({columns}) SELECT day, owner_id, source, {sums} FROM ({select}) AS c "  # noqa: S608 - names and expressions are this module's constants  # nosec B608
        f"GROUP BY day, owner_id, source HAVING {nonzero}"
    )


def _rows(table: str, row: str, sign: str, zone: str, *, where: str = "", join: str = "") -> str:
    names = ["day", "owner_id", "source", *COUNTERS]
    values = ", ".join(f"{v} AS {n}" for v, n in zip([*_key(row, zone), *_counts(row, sign)], names, strict=True))
    return f"SELECT {values} FROM {table} AS {row} {join} {where}"  # noqa: S608 - this module's constants  # nosec B608


def trigger_sql(zone: str) -> list[str]:
    """The trigger functions and triggers, with `zone` (settings.TIME_ZONE) deciding what a day is."""
    if "'" in zone:
        raise ValueError(f"Not a time zone name: {zone!r}")
    changed = f"({', '.join('o.' + f for f in TRACKED)}) IS DISTINCT FROM ({', '.join('n.' + f for f in TRACKED)})"
    moved = f"JOIN old_rows AS o ON o.id = n.id WHERE {changed}"
    bodies = {
        "insert": _append(_rows("new_rows", "n", "1", zone)),
        "delete": _append(_rows("old_rows", "o", "-1", zone)),
        "update": _append(
            _rows("new_rows", "n", "1", zone, join=moved)
            + " UNION ALL "
            + _rows("old_rows", "o", "-1", zone, join=f"JOIN new_rows AS n ON n.id = o.id WHERE {changed}")
        ),
    }
    transitions = {
        "insert": "NEW TABLE AS new_rows",
        "delete": "OLD TABLE AS old_rows",
        "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }
    statements = []
    for event, body in bodies.items():
        name = f"funnel_rollup_{event}"
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {name} ON {LEADS}",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {LEADS} REFERENCING {transitions[event]} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
        ]
    return statements


def drop_sql() -> list[str]:
    return [
        statement
        for event in ("insert", "update", "delete")
        for statement in (
            f"DROP TRIGGER IF EXISTS funnel_rollup_{event} ON {LEADS}",
            f"DROP FUNCTION IF EXISTS funnel_rollup_{event}()",
        )
    ]


def fold_deltas() -> int:
    """Move the appended deltas into the day rows (one statement); return how many deltas were folded."""
    if not enabled():
        return 0
    columns = ", ".join(["day", "owner_id", "source", *COUNTERS])
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    adds = ", ".join(f"{c} = {DAY}.{c} + excluded.{c}" for c in COUNTERS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return 0  # another fold or a rebuild is at it
        cursor.execute(
            f"WITH moved AS (DELETE FROM {DELTA} RETURNING *), "  # noqa: S608 - names are the models' tables  # nosec B608
            f"folded AS (INSERT INTO {DAY} ({columns}) SELECT day, owner_id, source, {sums} FROM moved "
            f"GROUP BY day, owner_id, source ORDER BY day, owner_id, source "
            f"ON CONFLICT (day, owner_id, source) DO UPDATE SET {adds} RETURNING 1) "
            f"SELECT (SELECT count(*) FROM moved)"
        )
        folded = cursor.fetchone()[0]
        cursor.execute(f"DELETE FROM {DAY} WHERE leads = 0")  # noqa: S608  # nosec B608
    return folded


def rebuild() -> int:
    """Recount the rollup from the leads, (re)writing the triggers for settings.TIME_ZONE; return the day rows."""
    if not enabled():
        return 0
    zone = settings.TIME_ZONE
    columns = ", ".join(["day", "owner_id", "source", *COUNTERS])
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {LEADS} IN SHARE MODE")  # writers wait; readers go on
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        for statement in trigger_sql(zone):
            cursor.execute(statement)
        cursor.execute(f"TRUNCATE {DELTA}, {DAY}")
        cursor.execute(
            f"INSERT INTO {DAY} ({columns}) SELECT day, owner_id, source, {sums} "  # noqa: S608  # nosec B608
            f"FROM ({_rows(LEADS, 'l', '1', zone)}) AS c GROUP BY day, owner_id, source"
        )
        return cursor.rowcount


def answers(filters) -> bool:
    """Whether the rollup can answer for these filters: on PostgreSQL, with days in the installation's zone."""
    return enabled() and timezone.get_current_timezone_name() == settings.TIME_ZONE


def funnel_rows(user, filters, *, by: tuple[str, ...] = ("owner_id", "source")) -> list[dict]:
    """The cohort's counters (`dashboards.selectors.cohort.get_cohort`) per `by`, from the rollup.

    Folded rows and pending deltas are summed together, each table from its own `visible_to(user)` (the leads'
    owner rule); the team, owner and source filters narrow them as they narrow the cohort.
    """
    from users.models import User

    parts = []
    for model in (FunnelDay, FunnelDelta):
        qs = model.objects.visible_to(user).filter(day__gte=filters.created_after, day__lte=filters.created_before)
        if filters.team is not None:
            qs = qs.filter(owner__in=User.objects.filter(team=filters.team).values("pk"))
        if filters.owner is not None:
            qs = qs.filter(owner=filters.owner)
        if filters.source:
            qs = qs.filter(source=filters.source)
        parts.append(qs.values(*by).annotate(**{c: Sum(c) for c in COUNTERS}).order_by())
    rows: dict[tuple, dict] = {}
    for row in parts[0].union(parts[1], all=True):  # one query: both tables' groups, merged here
        bucket = rows.setdefault(tuple(row[f] for f in by), dict.fromkeys(COUNTERS, 0))
        for c in COUNTERS:
            bucket[c] += row[c] or 0
    # A bucket whose leads all moved away (a changed source or owner) nets to zero: it is not a row of the cohort.
    return [dict(zip(by, key, strict=True)) | counts for key, counts in rows.items() if counts["leads"]]
