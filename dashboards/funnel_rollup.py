"""Report rollups of the lead table: what the funnel dashboard sums instead of reading the leads themselves.

- `FUNNEL`: the cohort's counters (leads, MQLs, SQLs, converted, velocity sums) per created day, owner and source;
- `UNATTENDED`: open leads per day they went idle (last activity, else creation), owner and source.

On PostgreSQL the database keeps them, in the same transaction as every write to the lead table, whoever writes:
the services one lead at a time, the import's and the scorer's set-based statements, conversion, erasure. Three
statement-level triggers on `leads_lead` (after INSERT, UPDATE, DELETE; `REFERENCING` the statement's old and new
rows, so a 20,000-row import chunk costs one grouped INSERT per rollup, not 20,000 calls) append what changed to
each rollup's delta table: +1 lead with its counters for a new row, -1 for a deleted one, both for an updated row
whose tracked columns changed (any other update — a score, a phone number — appends nothing). Appending takes no
lock that another writer waits on: two reps' leads of the same day and source never queue behind one row.

`fold_deltas` (beat, every minute) moves the deltas into the day rows, one statement per rollup; readers sum both
tables in one query (`rollup_rows`), so a report is exact whether or not the fold has run. `rebuild` recounts
everything from the leads with writers held off (`SHARE` lock): after changing settings.TIME_ZONE (a day is a date
in that zone, written into the trigger functions) or to check the rollups. The embedded SQLite default holds small
data and counts the leads directly (`enabled()` is false there).
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from dashboards.filters import scope
from dashboards.models import FunnelDay, FunnelDelta, UnattendedDay, UnattendedDelta

LEADS = "leads_lead"
LOCK_KEY = 4_206_117  # pg advisory lock: one fold or rebuild at a time
STEPS = [  # counter prefix, end, start: the same steps as dashboards.selectors.velocity.VELOCITY_STEPS
    ("lead_to_mql", "mql_at", "created_at"),
    ("mql_to_sql", "qualified_at", "mql_at"),
    ("sql_to_converted", "converted_at", "qualified_at"),
    ("lead_to_converted", "converted_at", "created_at"),
]


@dataclass(frozen=True)
class Rollup:
    """One rollup of the lead table: a day column, what a lead adds to each counter, which rows count.

    Expressions are SQL over one lead row whose alias is `{r}`; they are this module's constants, never input.
    """

    day_table: type
    delta_table: type
    day_of: str  # the timestamp whose date (in the installation's zone) is the row's day
    counters: tuple[tuple[str, str], ...]  # (column, a lead's contribution)
    tracked: tuple[str, ...]  # the columns an UPDATE must change to move a lead's contribution
    only: str = "TRUE"  # which leads count


def _velocity() -> tuple[tuple[str, str], ...]:
    counters = []
    for prefix, end, start in STEPS:
        both = f"{{r}}.{end} IS NOT NULL AND {{r}}.{start} IS NOT NULL"
        counters.append((f"{prefix}_n", f"({both})::int"))
        counters.append(
            (f"{prefix}_seconds", f"COALESCE(EXTRACT(EPOCH FROM ({{r}}.{end} - {{r}}.{start})), 0)::float8")
        )
    return tuple(counters)


FUNNEL = Rollup(
    day_table=FunnelDay,
    delta_table=FunnelDelta,
    day_of="{r}.created_at",
    counters=(
        ("leads", "1"),
        ("mqls", "({r}.mql_at IS NOT NULL)::int"),
        ("sqls", "({r}.qualified_at IS NOT NULL)::int"),
        ("converted", "({r}.converted_at IS NOT NULL)::int"),
        *_velocity(),
    ),
    tracked=("created_at", "owner_id", "source", "mql_at", "qualified_at", "converted_at"),
)
UNATTENDED = Rollup(
    day_table=UnattendedDay,
    delta_table=UnattendedDelta,
    day_of="COALESCE({r}.last_activity_at, {r}.created_at)",
    counters=(("leads", "1"),),
    tracked=("last_activity_at", "created_at", "owner_id", "source", "status"),
    only="{r}.status NOT IN ('converted', 'unqualified')",
)
ROLLUPS = (FUNNEL, UNATTENDED)
COUNTERS = [name for name, _ in FUNNEL.counters]


def enabled() -> bool:
    return connection.vendor == "postgresql"


def _rows(rollup: Rollup, table: str, r: str, sign: str, zone: str, *, join: str = "", where: str = "") -> str:
    """SELECT each lead's key and signed contributions from `table` (aliased `r`)."""
    day = f"({rollup.day_of.format(r=r)} AT TIME ZONE '{zone}')::date AS day"
    values = ", ".join(f"{sign} * ({expr.format(r=r)}) AS {name}" for name, expr in rollup.counters)
    conditions = " AND ".join(c for c in (rollup.only.format(r=r), where) if c)
    return f"SELECT {day}, {r}.owner_id, {r}.source, {values} FROM {table} AS {r} {join} WHERE {conditions}"  # noqa: S608 - this module's constants  # nosec B608


def _grouped(rollup: Rollup, select: str) -> str:
    sums = ", ".join(f"SUM({name}) AS {name}" for name, _ in rollup.counters)
    return f"SELECT day, owner_id, source, {sums} FROM ({select}) AS c GROUP BY day, owner_id, source"  # noqa: S608  # nosec B608


def _columns(rollup: Rollup) -> str:
    return ", ".join(["day", "owner_id", "source", *(name for name, _ in rollup.counters)])


def _append(rollup: Rollup, select: str) -> str:
    """INSERT the grouped contributions of `select` into the rollup's deltas, leaving out groups that net to zero."""
    nonzero = " OR ".join(f"{name} <> 0" for name, _ in rollup.counters)
    table = rollup.delta_table._meta.db_table
    return f"INSERT INTO {table} ({_columns(rollup)}) SELECT * FROM ({_grouped(rollup, select)}) AS g WHERE {nonzero}"  # noqa: S608  # nosec B608


def _appends(rollup: Rollup, event: str, zone: str) -> str:
    if event == "insert":
        return _append(rollup, _rows(rollup, "new_rows", "n", "1", zone))
    if event == "delete":
        return _append(rollup, _rows(rollup, "old_rows", "o", "-1", zone))
    changed = f"({', '.join('o.' + f for f in rollup.tracked)}) IS DISTINCT FROM ({', '.join('n.' + f for f in rollup.tracked)})"
    added = _rows(rollup, "new_rows", "n", "1", zone, join="JOIN old_rows AS o ON o.id = n.id", where=changed)
    removed = _rows(rollup, "old_rows", "o", "-1", zone, join="JOIN new_rows AS n ON n.id = o.id", where=changed)
    return _append(rollup, f"{added} UNION ALL {removed}")


def trigger_sql(zone: str) -> list[str]:
    """The trigger functions and triggers, with `zone` (settings.TIME_ZONE) deciding what a day is."""
    if "'" in zone:
        raise ValueError(f"Not a time zone name: {zone!r}")
    transitions = {
        "insert": "NEW TABLE AS new_rows",
        "delete": "OLD TABLE AS old_rows",
        "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
    }
    statements = []
    for event, transition in transitions.items():
        name = f"funnel_rollup_{event}"
        body = "; ".join(_appends(rollup, event, zone) for rollup in ROLLUPS)
        statements += [
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$",
            f"DROP TRIGGER IF EXISTS {name} ON {LEADS}",
            f"CREATE TRIGGER {name} AFTER {event.upper()} ON {LEADS} REFERENCING {transition} "
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
    """Move the appended deltas into the day rows (one statement per rollup); return how many were folded."""
    if not enabled():
        return 0
    folded = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            return 0  # another fold or a rebuild is at it
        for rollup in ROLLUPS:
            day, delta = rollup.day_table._meta.db_table, rollup.delta_table._meta.db_table
            adds = ", ".join(f"{name} = {day}.{name} + excluded.{name}" for name, _ in rollup.counters)
            cursor.execute(
                f"WITH moved AS (DELETE FROM {delta} RETURNING *), "  # noqa: S608 - the models' tables  # nosec B608
                f"folded AS (INSERT INTO {day} ({_columns(rollup)}) {_grouped(rollup, 'SELECT * FROM moved')} "
                f"ORDER BY day, owner_id, source ON CONFLICT (day, owner_id, source) DO UPDATE SET {adds} RETURNING 1) "
                f"SELECT (SELECT count(*) FROM moved)"
            )
            folded += cursor.fetchone()[0]
            cursor.execute(f"DELETE FROM {day} WHERE leads = 0")  # noqa: S608  # nosec B608
    return folded


def rebuild() -> int:
    """Recount the rollups from the leads, (re)writing the triggers for settings.TIME_ZONE; return the day rows."""
    if not enabled():
        return 0
    zone = settings.TIME_ZONE
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {LEADS} IN SHARE MODE")  # writers wait; readers go on
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        for statement in trigger_sql(zone):
            cursor.execute(statement)
        for rollup in ROLLUPS:
            day, delta = rollup.day_table._meta.db_table, rollup.delta_table._meta.db_table
            cursor.execute(f"TRUNCATE {delta}, {day}")
            cursor.execute(
                f"INSERT INTO {day} ({_columns(rollup)}) {_grouped(rollup, _rows(rollup, LEADS, 'l', '1', zone))}"  # nosec B608
            )
            written += cursor.rowcount
    return written


def answers(filters) -> bool:
    """Whether the rollup can answer for these filters: on PostgreSQL, with days in the installation's zone."""
    return enabled() and timezone.get_current_timezone_name() == settings.TIME_ZONE


def funnel_rows(user, filters, *, by: tuple[str, ...] = ("owner_id", "source")) -> list[dict]:
    """The cohort's counters (`dashboards.selectors.cohort.get_cohort`) per `by`, from the funnel rollup."""
    return rollup_rows(FUNNEL, user, filters, by=by, first_day=filters.created_after, last_day=filters.created_before)


def rollup_rows(rollup: Rollup, user, filters, *, by: tuple[str, ...], first_day=None, last_day=None) -> list[dict]:
    """A rollup's counters per `by` over the days [first_day, last_day] (either end open when None).

    Folded rows and pending deltas are summed together in one query, each table from its own `visible_to(user)`
    (the leads' owner rule); the team, owner and source filters narrow them as they narrow the leads.
    """
    counters = [name for name, _ in rollup.counters]
    parts = []
    for model in (rollup.day_table, rollup.delta_table):
        qs = scope(model.objects.visible_to(user), filters)
        if first_day is not None:
            qs = qs.filter(day__gte=first_day)
        if last_day is not None:
            qs = qs.filter(day__lte=last_day)
        parts.append(qs.values(*by).annotate(**{c: Sum(c) for c in counters}).order_by())
    rows: dict[tuple, dict] = {}
    for row in parts[0].union(parts[1], all=True):  # both tables' groups, merged here
        bucket = rows.setdefault(tuple(row[f] for f in by), dict.fromkeys(counters, 0))
        for c in counters:
            bucket[c] += row[c] or 0
    # A bucket whose leads all moved away (a changed source or owner) nets to zero: it holds no lead.
    return [dict(zip(by, key, strict=True)) | counts for key, counts in rows.items() if counts["leads"]]
