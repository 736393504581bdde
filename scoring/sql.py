"""Scoring compiled to SQL: the fit, engagement, score, rating and MQL statements of single and bulk scoring.

Single-lead scoring and the bulk rescore execute the very same SQL (the single lead is a one-id filter instead
of an id range), so they cannot disagree through float or rounding differences between two code paths.
"""

# The SQL below interpolates only quoted table names, fixed column names and "%s" placeholders; every value is a
# bound parameter.
# ruff: noqa: S608

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection as default_connection
from django.db.models import Q
from django.utils import timezone

from scoring.rules import (
    ACTIVITY_ENGAGEMENT_KINDS,
    EVENT_ENGAGEMENT_KINDS,
    MAX_HALF_LIVES,
    MQL_EVENT_KIND,
    Rule,
    fit_expression,
)


def fit_sql(scoring: Scoring, conn=None, *, rules: tuple[Rule, ...] | None = None) -> tuple[str, list[Any]]:
    """The fit of the active rules as one SQL expression over the columns of `"leads_lead"` (0 without rules).

    A caller may evaluate it over other rows by naming them `"leads_lead"`: the import scores the rows it is
    about to insert this way (`FROM (…) AS "leads_lead"`), so a new lead is written once, already scored.
    `rules` replaces the scoring rules (the grade uses the grade rules).
    """
    from leads.models import Lead

    conn = conn or default_connection
    query = Lead.objects.all().query
    chosen = scoring.rules if rules is None else rules
    expression = fit_expression(list(chosen)).resolve_expression(query, allow_joins=False)
    sql, params = query.get_compiler(connection=conn).compile(expression)
    return sql, list(params)


def grade_sql(points: str, scoring: Scoring) -> tuple[str, list[Any]]:
    """The grade of a `points` expression (profile points) by the thresholds; '' when there are no grade rules."""
    if not scoring.grade_rules:
        return "''", []
    return (
        f"CASE WHEN {points} >= %s THEN 'A' WHEN {points} >= %s THEN 'B' WHEN {points} >= %s THEN 'C' ELSE 'D' END",
        list(scoring.grade_thresholds),
    )


def lead_grade_sql(scoring: Scoring, conn=None) -> tuple[str, list[Any]]:
    """The grade of the row named `"leads_lead"`, as one SQL expression (the import grades new rows with it)."""
    if not scoring.grade_rules:
        return "''", []
    profile, profile_params = fit_sql(scoring, conn, rules=scoring.grade_rules)
    sql, thresholds = grade_sql(f"({profile})", scoring)
    # The CASE repeats the points expression before each threshold: its parameters come that many times.
    return sql, [param for threshold in thresholds for param in (*profile_params, threshold)]


def mql_grade_sql(column: str, scoring: Scoring) -> tuple[str, list[Any]]:
    """` AND <column> IN (grades good enough for MQL)` when `FUNNEL_MQL_MIN_GRADE` is set, else nothing."""
    if not scoring.mql_grades:
        return "", []
    return f" AND {column} IN ({', '.join(['%s'] * len(scoring.mql_grades))})", list(scoring.mql_grades)


# --- SQL -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeadFilter:
    """Which leads a statement touches: an id range [low, high) or a list of ids."""

    low: int | None = None
    high: int | None = None
    ids: tuple[int, ...] | None = None

    def sql(self, column: str) -> tuple[str, list[Any]]:
        if self.ids is not None:
            if not self.ids:
                return "1 = 0", []
            return f"{column} IN ({', '.join(['%s'] * len(self.ids))})", list(self.ids)
        return f"{column} >= %s AND {column} < %s", [self.low, self.high]

    def q(self) -> Q:
        return Q(pk__in=self.ids) if self.ids is not None else Q(pk__gte=self.low, pk__lt=self.high)


@dataclass(frozen=True)
class Scoring:
    """Everything a score depends on, read once: the active rules, engagement weights, thresholds and `now`."""

    rules: tuple[Rule, ...]
    weights: tuple[tuple[str, int], ...]
    now: datetime
    half_life_seconds: float
    hot: int
    warm: int
    mql_threshold: int
    grade_rules: tuple[Rule, ...] = ()
    grade_thresholds: tuple[int, int, int] = (75, 50, 25)
    # The grades an MQL may have (FUNNEL_MQL_MIN_GRADE and better); empty: the score alone decides.
    mql_grades: tuple[str, ...] = ()


def _is_postgres(conn) -> bool:
    return conn.vendor == "postgresql"


def _age_seconds(conn, column: str) -> str:
    if _is_postgres(conn):
        return f"EXTRACT(EPOCH FROM (%s::timestamptz - {column}))::float8"
    return f"((julianday(%s) - julianday({column})) * 86400.0)"


def _now_param(conn, now: datetime) -> Any:
    return now if _is_postgres(conn) else conn.ops.adapt_datetimefield_value(now)


def _greatest(conn, *args: str) -> str:
    return f"{'GREATEST' if _is_postgres(conn) else 'MAX'}({', '.join(args)})"


def _least(conn, *args: str) -> str:
    return f"{'LEAST' if _is_postgres(conn) else 'MIN'}({', '.join(args)})"


def engagement_sql(scoring: Scoring, leads: LeadFilter, conn=None) -> tuple[str, list[Any]] | None:
    """`SELECT lead_id, points` of the filtered leads' decayed engagement, or None when nothing is weighted."""
    from activities.models import Activity, Event

    conn = conn or default_connection
    weights = [(kind, points) for kind, points in scoring.weights if points]
    parts: list[str] = []
    params: list[Any] = []
    for model, kinds in ((Event, EVENT_ENGAGEMENT_KINDS), (Activity, ACTIVITY_ENGAGEMENT_KINDS)):
        mine = [(kind, points) for kind, points in weights if kind in kinds]
        if not mine:
            continue
        table = conn.ops.quote_name(model._meta.db_table)
        whens = " ".join("WHEN %s THEN %s" for _ in mine)
        age = _age_seconds(conn, "x.created_at")
        exponent = _least(conn, f"{_greatest(conn, age, '0.0')} / %s", f"{MAX_HALF_LIVES}.0")
        where, where_params = leads.sql("x.lead_id")
        parts.append(
            f"SELECT x.lead_id AS lead_id, "  # names from model metadata; kinds, points and times are parameters  # nosec B608
            f"FLOOR((CASE x.kind {whens} END) * 1000.0 * POWER(0.5, {exponent}) + 0.5) AS milli "
            f"FROM {table} x WHERE {where} AND x.kind IN ({', '.join(['%s'] * len(mine))})"
        )
        params += [value for pair in mine for value in pair]
        params += [_now_param(conn, scoring.now), scoring.half_life_seconds]
        params += where_params + [kind for kind, _ in mine]
    if not parts:
        return None
    union = " UNION ALL ".join(parts)
    sql = (
        f"SELECT e.lead_id AS lead_id, CAST(FLOOR((SUM(CAST(e.milli AS BIGINT)) + 500) / 1000.0) AS INTEGER) AS points "  # built only from the fragments above, values are parameters  # nosec B608
        f"FROM ({union}) e GROUP BY e.lead_id"
    )
    return sql, params


def evaluate_once(conn=None) -> str:
    """What ends a subquery so that its computed columns are computed once per row.

    PostgreSQL pulls a plain subquery up into the statement around it and copies a computed column's expression
    into every place that reads it: a score read by the rating's two thresholds and the UPDATE's comparisons
    would evaluate every scoring rule each time (measured: 3x the cost of the fit). `OFFSET 0` keeps the
    subquery whole.
    """
    return " OFFSET 0" if _is_postgres(conn or default_connection) else ""


def rating_sql(score: str, scoring: Scoring) -> tuple[str, list[Any]]:
    """The rating of a `score` expression: hot, warm or cold by the thresholds."""
    return f"CASE WHEN {score} >= %s THEN 'hot' WHEN {score} >= %s THEN 'warm' ELSE 'cold' END", [
        scoring.hot,
        scoring.warm,
    ]


def mql_events_sql(rows: str, where: str, scoring: Scoring, conn=None) -> tuple[str, list[Any]]:
    """PostgreSQL: `INSERT` the MQL timeline event of each row of `rows` (columns id, score) matching `where`.

    The text fills MQL_SUMMARY with `format()`; `where`'s own parameters follow the returned ones.
    """
    from activities.models import Event

    events = (conn or default_connection).ops.quote_name(Event._meta.db_table)
    sql = (
        f"INSERT INTO {events} (lead_id, kind, summary, data, created_at) "  # table name from model metadata, values are parameters  # nosec B608
        f"SELECT id, %s, format(%s, score, %s), jsonb_build_object('score', score, 'threshold', %s), %s "
        f"FROM {rows} WHERE {where}"
    )
    threshold = scoring.mql_threshold
    template = MQL_SUMMARY.format(score="%s", threshold="%s")
    return sql, [MQL_EVENT_KIND, template, threshold, threshold, timezone.now()]


def scores_sql(scoring: Scoring, leads: LeadFilter, conn=None) -> tuple[str, list[Any]]:
    """`SELECT id, new_score, new_rating, new_grade` for the filtered leads that are not converted."""
    from leads.models import Lead

    conn = conn or default_connection
    fit_qs = (
        Lead.objects.filter(leads.q())
        .exclude(status=Lead.Status.CONVERTED)
        .order_by()
        .annotate(fit=fit_expression(list(scoring.rules)), profile=fit_expression(list(scoring.grade_rules)))
        .values_list("id", "fit", "profile")
    )
    fit_sql, fit_params = fit_qs.query.sql_with_params()
    engagement = engagement_sql(scoring, leads, conn)
    if engagement is None:
        total, join, params = "f.fit", "", list(fit_params)
    else:
        total = "f.fit + COALESCE(g.points, 0)"
        join = f" LEFT JOIN ({engagement[0]}) g ON g.lead_id = f.id"
        params = [*fit_params, *engagement[1]]
    score = _greatest(conn, "0", _least(conn, "100", total))
    rating, rating_params = rating_sql("s.new_score", scoring)
    grade, grade_params = grade_sql("s.profile", scoring)
    sql = (
        f"SELECT s.id AS id, s.new_score AS new_score, {rating} AS new_rating, {grade} AS new_grade "  # built from the ORM's compiled query and fixed SQL, values are parameters  # nosec B608
        f"FROM (SELECT f.id AS id, {score} AS new_score, f.profile AS profile "
        f"FROM ({fit_sql}) f{join}{evaluate_once(conn)}) s"
    )
    return sql, [*rating_params, *grade_params, *params]


def update_scores_sql(scoring: Scoring, leads: LeadFilter, conn=None) -> tuple[str, list[Any]]:
    """`UPDATE` the filtered leads whose score, rating or grade changed (or that were never scored)."""
    from leads.models import Lead

    conn = conn or default_connection
    table = conn.ops.quote_name(Lead._meta.db_table)
    select, params = scores_sql(scoring, leads, conn)
    # Repeating the chunk's filter on the target table lets the planner touch only the chunk, not scan all leads.
    target, target_params = leads.sql(f"{table}.id")
    sql = (
        f"UPDATE {table} SET score = t.new_score, rating = t.new_rating, grade = t.new_grade, scored_at = %s "  # table name from model metadata, values are parameters  # nosec B608
        f"FROM ({select}) t WHERE {target} AND {table}.id = t.id AND ({table}.score <> t.new_score "
        f"OR {table}.rating <> t.new_rating OR {table}.grade <> t.new_grade OR {table}.scored_at IS NULL)"
    )
    return sql, [conn.ops.adapt_datetimefield_value(scoring.now), *params, *target_params]


def stamp_mql_sql(scoring: Scoring, leads: LeadFilter, conn=None) -> tuple[str, list[Any]]:
    """`UPDATE … SET mql_at` once for the filtered leads at or above the threshold (and of an MQL grade, when one is
    required), `RETURNING id, score, owner_id`."""
    from leads.models import Lead

    conn = conn or default_connection
    table = conn.ops.quote_name(Lead._meta.db_table)
    where, params = leads.sql("id")
    grade, grade_params = mql_grade_sql("grade", scoring)
    sql = (
        f"UPDATE {table} SET mql_at = %s WHERE {where} AND mql_at IS NULL AND score >= %s{grade} AND status <> %s "  # table name from model metadata, values are parameters  # nosec B608
        f"RETURNING id, score, owner_id"
    )
    return sql, [
        conn.ops.adapt_datetimefield_value(scoring.now),
        *params,
        scoring.mql_threshold,
        *grade_params,
        Lead.Status.CONVERTED.value,
    ]


MQL_SUMMARY = "Became a marketing-qualified lead: score {score} reached {threshold}"


def mql_summary(score: int, threshold: int) -> str:
    """The timeline text of the MQL milestone (SQL fills the same template with `format()`)."""
    return MQL_SUMMARY.format(score=score, threshold=threshold)


def score_and_stamp_sql(scoring: Scoring, leads: LeadFilter, conn=None) -> tuple[str, list[Any]]:
    """ONE PostgreSQL statement: write new scores and ratings, stamp `mql_at` once, record the MQL events.

    Each lead row is rewritten once (score, rating and milestone together) and the events are inserted from the
    updated rows, so a bulk rescore costs one pass over the leads. Returns one row:
    `(leads changed, ids of the leads that reached MQL now)`.
    """
    from leads.models import Lead

    conn = conn or default_connection
    table = conn.ops.quote_name(Lead._meta.db_table)
    select, select_params = scores_sql(scoring, leads, conn)
    target, target_params = leads.sql(f"{table}.id")
    now, threshold = scoring.now, scoring.mql_threshold
    grade, grade_params = mql_grade_sql("t.new_grade", scoring)
    reaches = f"({table}.mql_at IS NULL AND t.new_score >= %s{grade})"
    reaches_params = [threshold, *grade_params]
    events, events_params = mql_events_sql("changed", "mql_at = %s", scoring, conn)
    sql = (
        f"WITH changed AS (UPDATE {table} SET score = t.new_score, rating = t.new_rating, grade = t.new_grade, "  # names from model metadata, values are parameters  # nosec B608
        f"scored_at = %s, mql_at = CASE WHEN {reaches} THEN %s ELSE {table}.mql_at END "
        f"FROM ({select}) t WHERE {target} AND {table}.id = t.id AND ({table}.score <> t.new_score "
        f"OR {table}.rating <> t.new_rating OR {table}.grade <> t.new_grade OR {table}.scored_at IS NULL "
        f"OR {reaches}) "
        f"RETURNING {table}.id, {table}.score, {table}.mql_at), "
        f"reached AS ({events} RETURNING lead_id) "
        f"SELECT (SELECT count(*) FROM changed), (SELECT array_agg(lead_id ORDER BY lead_id) FROM reached)"
    )
    params = [now, *reaches_params, now, *select_params, *target_params, *reaches_params, *events_params, now]
    return sql, params
