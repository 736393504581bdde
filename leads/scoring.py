"""Lead scoring: what a rule may look at, how rules compile to SQL, and what counts as engagement.

    score = clamp(fit + engagement, 0, 100); rating hot ≥ FUNNEL_RATING_HOT, warm ≥ FUNNEL_RATING_WARM, else cold

- **fit** is the sum of the points of every active `ScoringRule` a lead matches. Each rule compiles to one
  `CASE WHEN <condition> THEN points ELSE 0 END` built with Django's Case/When/Q, so the same code runs on
  SQLite and PostgreSQL.
- **engagement** is, for every engagement the lead had, the `EngagementWeight` points of its kind halved every
  half-life (`FUNNEL_ENGAGEMENT_HALF_LIFE`, default 30 days): `points * 0.5^(age / half_life)`. Each
  engagement is first rounded to thousandths of a point (an integer), the integers are summed, and the sum is
  rounded half up to whole points — integer sums do not depend on the order the database adds rows in.

Engagement kinds — other features write these, scoring reads them:

- `activities.Event` rows with kind `"nurture_opened"`, `"nurture_clicked"` (a nurture email was opened /
  a link in it clicked), `"form_submitted"` (a web-to-lead form was posted again by a known lead) and
  `"reply"` (the lead replied to an email);
- `activities.Activity` rows with kind `"meeting"` or `"call"`.

Single-lead scoring and the bulk rescore execute the very same SQL (the single lead is a one-id filter instead
of an id range), so they cannot disagree through float or rounding differences between two code paths.
"""

# The SQL below interpolates only quoted table names, fixed column names and "%s" placeholders; every value is a
# bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import operator as op
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import reduce
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection as default_connection
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils import timezone

if TYPE_CHECKING:
    from leads.models import ScoringRule

# --- engagement kinds --------------------------------------------------------------------------------
NURTURE_OPENED = "nurture_opened"
NURTURE_CLICKED = "nurture_clicked"
FORM_SUBMITTED = "form_submitted"
REPLY = "reply"
MEETING = "meeting"
CALL = "call"
EVENT_ENGAGEMENT_KINDS = (NURTURE_OPENED, NURTURE_CLICKED, FORM_SUBMITTED, REPLY)
ACTIVITY_ENGAGEMENT_KINDS = (MEETING, CALL)
ENGAGEMENT_KINDS = EVENT_ENGAGEMENT_KINDS + ACTIVITY_ENGAGEMENT_KINDS
ENGAGEMENT_LABELS = {
    NURTURE_OPENED: "Nurture email opened",
    NURTURE_CLICKED: "Nurture email clicked",
    FORM_SUBMITTED: "Web form submitted",
    REPLY: "Replied",
    MEETING: "Meeting",
    CALL: "Call",
}
# 0.5^60 of at most 100 points is far below the 0.0005 that could change a rounded score; capping the exponent
# keeps PostgreSQL's power() from raising an underflow error on very old engagements.
MAX_HALF_LIVES = 60
MQL_EVENT_KIND = "mql"
ENGAGEMENT_LINE = "Engagement"
CLAMP_LINE = "Score limited to 0-100"

# --- what a rule may look at ----------------------------------------------------------------------------
TEXT_FIELDS = ("title", "company", "email", "phone", "website", "industry", "country", "city")
CHOICE_FIELDS = ("source", "status")
NUMBER_FIELDS = ("employees", "annual_revenue")
BOOLEAN_FIELDS = ("do_not_contact",)
SCORED_FIELDS = frozenset(TEXT_FIELDS + CHOICE_FIELDS + NUMBER_FIELDS + BOOLEAN_FIELDS)

_TEXT_OPERATORS = {"equals", "not_equals", "in", "contains", "starts_with", "is_set", "is_blank"}
OPERATORS_BY_FIELD: dict[str, set[str]] = {
    **{f: set(_TEXT_OPERATORS) for f in TEXT_FIELDS},
    **{f: {"equals", "not_equals", "in"} for f in CHOICE_FIELDS},
    **{f: {"equals", "not_equals", "in", "gte", "lte", "is_set", "is_blank"} for f in NUMBER_FIELDS},
    **{f: {"equals", "not_equals"} for f in BOOLEAN_FIELDS},
}
OPERATORS_BY_FIELD["email"].add("free_mail")
_NO_VALUE = {"is_set", "is_blank", "free_mail"}
_LIST_OPERATORS = {"in", "contains", "starts_with"}
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


def _choices(field: str) -> list[str]:
    from leads.models import Lead

    return list(Lead.Source.values if field == "source" else Lead.Status.values)


def parse_value(field: str, operator: str, value: str) -> Any:
    """Read a rule's text `value` as the operator and field need it; raise ValidationError naming `value`."""
    if operator in _NO_VALUE:
        return None
    raw = (value or "").strip()
    items = [item.strip() for item in raw.split(",") if item.strip()] if operator in _LIST_OPERATORS else [raw]
    if not items or not items[0]:
        raise ValidationError({"value": ["This operator needs a value."]})
    if field in NUMBER_FIELDS:
        try:
            numbers = [Decimal(item) for item in items]
        except InvalidOperation:
            raise ValidationError({"value": [f"{field} is compared with numbers, e.g. 200 or 1,000 as 1000."]})
        if any(not n.is_finite() or abs(n) >= Decimal("1e14") for n in numbers):
            raise ValidationError({"value": ["Use a number below 100,000,000,000,000."]})
        parsed: list[Any] = numbers
    elif field in BOOLEAN_FIELDS:
        word = items[0].lower()
        if word not in _TRUE | _FALSE:
            raise ValidationError({"value": ["Use true or false."]})
        parsed = [word in _TRUE]
    elif field in CHOICE_FIELDS:
        parsed = [item.lower() for item in items]
        unknown = [item for item in parsed if item not in _choices(field)]
        if unknown:
            raise ValidationError(
                {"value": [f"Unknown {field} {unknown[0]!r}; choose from {', '.join(_choices(field))}."]}
            )
    else:
        parsed = items
    return parsed if operator in _LIST_OPERATORS else parsed[0]


def validate_rule(field: str, operator: str, value: str) -> None:
    """Raise ValidationError naming `field`, `operator` or `value` when a rule cannot be compiled."""
    if field not in OPERATORS_BY_FIELD:
        raise ValidationError({"field": [f"Rules may use {', '.join(sorted(OPERATORS_BY_FIELD))} (not {field!r})."]})
    if operator not in OPERATORS_BY_FIELD[field]:
        allowed = ", ".join(sorted(OPERATORS_BY_FIELD[field]))
        raise ValidationError({"operator": [f"{field} can be compared with {allowed} (not {operator!r})."]})
    parse_value(field, operator, value)


def rule_condition(field: str, operator: str, value: str) -> Q:
    """Compile one rule to a Q on Lead."""
    parsed = parse_value(field, operator, value)
    is_text = field in TEXT_FIELDS

    def equals(item: Any) -> Q:
        return Q(**{f"{field}__iexact": item}) if is_text else Q(**{field: item})

    if operator == "equals":
        return equals(parsed)
    if operator == "not_equals":
        return ~equals(parsed)
    if operator == "in":
        return reduce(op.or_, (equals(item) for item in parsed)) if is_text else Q(**{f"{field}__in": parsed})
    if operator == "contains":
        return reduce(op.or_, (Q(**{f"{field}__icontains": item}) for item in parsed))
    if operator == "starts_with":
        return reduce(op.or_, (Q(**{f"{field}__istartswith": item}) for item in parsed))
    if operator == "gte":
        return Q(**{f"{field}__gte": parsed})
    if operator == "lte":
        return Q(**{f"{field}__lte": parsed})
    if operator in ("is_set", "is_blank"):
        blank = Q(**{field: ""}) if is_text else Q(**{f"{field}__isnull": True})
        return blank if operator == "is_blank" else ~blank
    if operator == "free_mail":
        # Every writer stores emails trimmed and lower-cased, so a case-sensitive suffix match is exact.
        domains = sorted(settings.FUNNEL_FREE_MAIL_DOMAINS)
        if not domains:
            return Q(pk__in=[])
        return reduce(op.or_, (Q(email__endswith=f"@{domain}") for domain in domains))
    raise ValidationError({"operator": [f"Unknown operator {operator!r}."]})


def rule_points(rule: ScoringRule) -> Case:
    """`CASE WHEN <rule matches> THEN points ELSE 0 END`."""
    return Case(
        When(rule_condition(rule.field, rule.operator, rule.value), then=Value(rule.points)),
        default=Value(0),
        output_field=IntegerField(),
    )


def fit_expression(rules: list[ScoringRule]):
    """The sum of every rule's CASE expression (0 without rules)."""
    terms = [rule_points(rule) for rule in rules]
    return reduce(op.add, terms) if terms else Value(0, output_field=IntegerField())


def fit_sql(scoring: Scoring, conn=None) -> tuple[str, list[Any]]:
    """The fit of the active rules as one SQL expression over the columns of `"leads_lead"` (0 without rules).

    A caller may evaluate it over other rows by naming them `"leads_lead"`: the import scores the rows it is
    about to insert this way (`FROM (…) AS "leads_lead"`), so a new lead is written once, already scored.
    """
    from leads.models import Lead

    conn = conn or default_connection
    query = Lead.objects.all().query
    expression = fit_expression(list(scoring.rules)).resolve_expression(query, allow_joins=False)
    sql, params = query.get_compiler(connection=conn).compile(expression)
    return sql, list(params)


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

    rules: tuple[ScoringRule, ...]
    weights: tuple[tuple[str, int], ...]
    now: datetime
    half_life_seconds: float
    hot: int
    warm: int
    mql_threshold: int


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
    """`SELECT id, new_score, new_rating` for the filtered leads that are not converted."""
    from leads.models import Lead

    conn = conn or default_connection
    fit_qs = (
        Lead.objects.filter(leads.q())
        .exclude(status=Lead.Status.CONVERTED)
        .order_by()
        .annotate(fit=fit_expression(list(scoring.rules)))
        .values_list("id", "fit")
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
    sql = (
        f"SELECT s.id AS id, s.new_score AS new_score, {rating} AS new_rating "  # built from the ORM's compiled query and fixed SQL, values are parameters  # nosec B608
        f"FROM (SELECT f.id AS id, {score} AS new_score FROM ({fit_sql}) f{join}{evaluate_once(conn)}) s"
    )
    return sql, [*rating_params, *params]


def update_scores_sql(scoring: Scoring, leads: LeadFilter, conn=None) -> tuple[str, list[Any]]:
    """`UPDATE` the filtered leads whose score or rating changed (or that were never scored)."""
    from leads.models import Lead

    conn = conn or default_connection
    table = conn.ops.quote_name(Lead._meta.db_table)
    select, params = scores_sql(scoring, leads, conn)
    # Repeating the chunk's filter on the target table lets the planner touch only the chunk, not scan all leads.
    target, target_params = leads.sql(f"{table}.id")
    sql = (
        f"UPDATE {table} SET score = t.new_score, rating = t.new_rating, scored_at = %s "  # table name from model metadata, values are parameters  # nosec B608
        f"FROM ({select}) t WHERE {target} AND {table}.id = t.id AND ({table}.score <> t.new_score "
        f"OR {table}.rating <> t.new_rating OR {table}.scored_at IS NULL)"
    )
    return sql, [conn.ops.adapt_datetimefield_value(scoring.now), *params, *target_params]


def stamp_mql_sql(scoring: Scoring, leads: LeadFilter, conn=None) -> tuple[str, list[Any]]:
    """`UPDATE … SET mql_at` once for the filtered leads at or above the threshold, `RETURNING id, score, owner_id`."""
    from leads.models import Lead

    conn = conn or default_connection
    table = conn.ops.quote_name(Lead._meta.db_table)
    where, params = leads.sql("id")
    sql = (
        f"UPDATE {table} SET mql_at = %s WHERE {where} AND mql_at IS NULL AND score >= %s AND status <> %s "  # table name from model metadata, values are parameters  # nosec B608
        f"RETURNING id, score, owner_id"
    )
    return sql, [
        conn.ops.adapt_datetimefield_value(scoring.now),
        *params,
        scoring.mql_threshold,
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
    reaches = f"({table}.mql_at IS NULL AND t.new_score >= %s)"
    events, events_params = mql_events_sql("changed", "mql_at = %s", scoring, conn)
    sql = (
        f"WITH changed AS (UPDATE {table} SET score = t.new_score, rating = t.new_rating, scored_at = %s, "  # names from model metadata, values are parameters  # nosec B608
        f"mql_at = CASE WHEN {reaches} THEN %s ELSE {table}.mql_at END "
        f"FROM ({select}) t WHERE {target} AND {table}.id = t.id AND ({table}.score <> t.new_score "
        f"OR {table}.rating <> t.new_rating OR {table}.scored_at IS NULL OR {reaches}) "
        f"RETURNING {table}.id, {table}.score, {table}.mql_at), "
        f"reached AS ({events} RETURNING lead_id) "
        f"SELECT (SELECT count(*) FROM changed), (SELECT array_agg(lead_id ORDER BY lead_id) FROM reached)"
    )
    params = [now, threshold, now, *select_params, *target_params, threshold, *events_params, now]
    return sql, params
