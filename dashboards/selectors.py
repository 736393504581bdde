"""Report queries behind the managers' funnel dashboard and `GET /api/v1/reports/funnel/`.

Definitions (the numbers the page, the CSV exports and the API agree on):

- **Cohort**: the leads visible to the user (`Lead.objects.visible_to`) created in the inclusive date range
  `created_after`..`created_before`, narrowed by team (the owner's team), owner and source.
- **Lead** = cohort count; **MQL** = with `mql_at`; **SQL** = with `qualified_at`; **Converted** = with
  `converted_at`; **Won** = converted leads whose `converted_opportunity` is in a won stage. Step conversion =
  count / previous stage's count; overall conversion = count / leads.
- **conversion_rate** = converted / leads (0 when there are no leads), a float rounded to 4 places.
  **won_amount** = sum of the won converted opportunities' amounts, a decimal string.
- **avg_days_to_convert**: mean days `created_at` → `converted_at` over converted cohort leads, rounded to 1
  place (None when none converted). Velocity steps likewise: lead → MQL over leads with `mql_at`, MQL → SQL over
  leads with both, SQL → converted over leads with both; medians interpolate the two middle values.
- **Time in status**: for every status change of a cohort lead, the time until that lead's next change (the
  current, unfinished stay is not counted).
- **Pipeline**: open opportunities (stage not closed) visible to the user, narrowed by owner, team and
  `lead_source`; the date range does NOT apply (an open deal is in the pipeline whenever it was created).
  weighted_amount = sum of amount * probability / 100, rounded to cents.
- **Won / lost this period**: closed opportunities visible to the user whose `closed_at` falls in the date range.
- **Trend**: cohort leads created per week, and leads converted per week (by `converted_at` in the range, same
  visibility, team, owner and source).
- **Unattended**: open leads (not converted or unqualified) with no activity for `idle_days` days
  (`last_activity_at`, or `created_at` when none was ever logged), by owner; the date range does NOT apply.

The whole lead funnel (stages, by source, by owner, averages) is ONE grouped aggregate query with conditional
counts, rolled up in Python; the page costs a fixed handful of queries whatever the data size.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Count,
    DecimalField,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    QuerySet,
    Sum,
    Window,
)
from django.db.models.functions import Coalesce, TruncWeek
from django.db.models.functions import Lead as NextValue
from django.utils import timezone

from crm.common.models import managed_owner_ids
from crm.users.models import User
from dashboards.filters import FunnelFilters
from leads.models import Lead, LeadSource, LeadStatusChange
from opportunities.models import Opportunity, Stage

STAGES = [
    ("lead", "Leads"),
    ("mql", "MQLs"),
    ("sql", "SQLs"),
    ("converted", "Converted"),
    ("won", "Won"),
]
CENT = Decimal("0.01")
SOURCE_LABELS = dict(LeadSource.choices)
STATUS_LABELS = dict(Lead.Status.choices)


class Median(Aggregate):
    """PostgreSQL's interpolated median (`percentile_cont(0.5)`); other databases take the Python fallback."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def _duration(end: str, start: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


VELOCITY_STEPS = [
    # key, label, end field, start field
    ("lead_to_mql", "Lead → MQL", "mql_at", "created_at"),
    ("mql_to_sql", "MQL → SQL", "qualified_at", "mql_at"),
    ("sql_to_converted", "SQL → Converted", "converted_at", "qualified_at"),
    ("lead_to_converted", "Lead → Converted", "converted_at", "created_at"),
]


def _days(value: timedelta | None, count: int = 1) -> float | None:
    if value is None or not count:
        return None
    return round(value.total_seconds() / 86400 / count, 1)


def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def _money(value: Decimal | None) -> str:
    return str((value or Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP))


def _scope(qs: QuerySet, filters: FunnelFilters, *, source_field: str = "source") -> QuerySet:
    if filters.team is not None:
        qs = qs.filter(owner__in=User.objects.filter(team=filters.team).values("pk"))
    if filters.owner is not None:
        qs = qs.filter(owner=filters.owner)
    if filters.source:
        qs = qs.filter(**{source_field: filters.source})
    return qs


def get_cohort(user: User, filters: FunnelFilters) -> QuerySet[Lead]:
    """Return the cohort: visible leads created in the range, narrowed by team, owner and source."""
    qs = Lead.objects.visible_to(user).filter(created_at__gte=filters.start, created_at__lt=filters.end)
    return _scope(qs, filters)


def _owner_names(ids) -> dict[int, str]:
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return {}
    return {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in=ids).only("pk", "name", "first_name", "last_name", "username")
    }


def get_funnel(user: User, filters: FunnelFilters) -> dict[str, Any]:
    """Return the funnel stages, conversion by source and by owner, and the velocity averages.

    Two queries: one grouped aggregate over the cohort (by source and owner), and one over its won deals.
    """
    aggregates: dict[str, Any] = {
        "leads": Count("pk"),
        "mqls": Count("pk", filter=Q(mql_at__isnull=False)),
        "sqls": Count("pk", filter=Q(qualified_at__isnull=False)),
        "converted": Count("pk", filter=Q(converted_at__isnull=False)),
    }
    for key, _label, end, start in VELOCITY_STEPS:
        both = Q(**{f"{end}__isnull": False, f"{start}__isnull": False})
        aggregates[f"{key}_n"] = Count("pk", filter=both)
        aggregates[f"{key}_sum"] = Sum(_duration(end, start), filter=both)
    cohort = get_cohort(user, filters)
    rows = list(cohort.values("source", "owner_id").annotate(**aggregates).order_by())
    # Won deals are counted apart, over the few converted leads (read from their own index: a lead converts only
    # after it was created): joining every cohort lead to the opportunities would hash the whole table of deals.
    won_rows = (
        cohort.filter(converted_at__gte=filters.start, converted_opportunity__stage__is_won=True)
        .values("source", "owner_id")
        .annotate(won=Count("pk"), won_amount=Sum("converted_opportunity__amount"))
        .order_by()
    )

    counters = ("leads", "mqls", "sqls", "converted")
    total: dict[str, Any] = defaultdict(int)
    by_source: dict[str, dict[str, Any]] = {}
    by_owner: dict[int | None, dict[str, Any]] = {}

    def buckets(row: dict[str, Any]) -> tuple[dict[str, Any], ...]:
        return (
            total,
            by_source.setdefault(row["source"], defaultdict(int)),
            by_owner.setdefault(row["owner_id"], defaultdict(int)),
        )

    for row in rows:
        for bucket in buckets(row):
            for name in counters:
                bucket[name] += row[name]
        for key, *_ in VELOCITY_STEPS:
            total[f"{key}_n"] += row[f"{key}_n"]
            if row[f"{key}_sum"] is not None:
                total[f"{key}_sum"] += row[f"{key}_sum"].total_seconds()
    for row in won_rows:
        for bucket in buckets(row):
            bucket["won"] += row["won"]
            bucket["won_amount"] += row["won_amount"] or Decimal(0)
    counters += ("won",)

    def as_row(values: dict[str, Any]) -> dict[str, Any]:
        out = {name: values[name] for name in counters}
        out["conversion_rate"] = _rate(values["converted"], values["leads"])
        out["won_amount"] = _money(values["won_amount"])
        return out

    names = _owner_names(by_owner)
    stages = []
    previous = None
    for key, label in STAGES:
        count = total[{"lead": "leads", "mql": "mqls", "sql": "sqls"}.get(key, key)]
        stages.append(
            {
                "key": key,
                "label": label,
                "count": count,
                "step_conversion": 1.0 if previous is None else _rate(count, previous),
                "overall_conversion": _rate(count, total["leads"]),
            }
        )
        previous = count
    velocity = [
        {
            "step": key,
            "label": label,
            "leads": total[f"{key}_n"],
            "avg_days": _days(timedelta(seconds=total[f"{key}_sum"]), total[f"{key}_n"]),
        }
        for key, label, *_ in VELOCITY_STEPS
    ]
    return {
        "stages": stages,
        "by_source": sorted(
            (
                {"source": source, "label": SOURCE_LABELS.get(source, source), **as_row(v)}
                for source, v in by_source.items()
            ),
            key=lambda r: (-r["leads"], r["source"]),
        ),
        "by_owner": sorted(
            (
                {"owner": owner, "owner_name": names.get(owner, "Unassigned"), **as_row(v)}
                for owner, v in by_owner.items()
            ),
            key=lambda r: (-r["leads"], r["owner_name"], r["owner"] or 0),
        ),
        "avg_days_to_convert": velocity[-1]["avg_days"],
        "velocity": velocity,
    }


def get_velocity_medians(user: User, filters: FunnelFilters) -> dict[str, float | None]:
    """Return the median days of each velocity step over the cohort (percentile_cont on PostgreSQL)."""
    cohort = get_cohort(user, filters)
    if connection.vendor == "postgresql":
        result = cohort.aggregate(
            **{
                key: Median(_duration(end, start), output_field=DurationField())
                for key, _l, end, start in VELOCITY_STEPS
            }
        )
        return {key: _days(value) for key, value in result.items()}
    # The embedded SQLite default holds small data: the median is taken in Python.
    rows = cohort.filter(Q(mql_at__isnull=False) | Q(converted_at__isnull=False)).values_list(
        "created_at", "mql_at", "qualified_at", "converted_at"
    )
    spans: dict[str, list[timedelta]] = {key: [] for key, *_ in VELOCITY_STEPS}
    fields = {"created_at": 0, "mql_at": 1, "qualified_at": 2, "converted_at": 3}
    for row in rows:
        for key, _label, end, start in VELOCITY_STEPS:
            if row[fields[end]] is not None and row[fields[start]] is not None:
                spans[key].append(row[fields[end]] - row[fields[start]])
    return {key: _days(statistics.median(values)) if values else None for key, values in spans.items()}


def get_time_in_status(user: User, filters: FunnelFilters) -> list[dict[str, Any]]:
    """Return, per status, how many finished stays cohort leads had in it and their average and median days."""
    changes = (
        # A cohort lead changes status only once created, so only changes since the cohort's first day are read.
        LeadStatusChange.objects.filter(changed_at__gte=filters.start, lead__in=get_cohort(user, filters).values("pk"))
        .annotate(
            next_at=Window(NextValue("changed_at"), partition_by=[F("lead_id")], order_by=[F("changed_at"), F("id")])
        )
        .values("to_status", "changed_at", "next_at")
        .order_by()
    )
    # The ORM writes the windowed inner query (values stay bound parameters); only the outer aggregate is
    # spelled per database, because neither Django nor SQLite aggregate over a window function directly.
    inner, params = changes.query.sql_with_params()
    if connection.vendor == "postgresql":
        sql = (
            "SELECT to_status, COUNT(*), AVG(EXTRACT(EPOCH FROM (next_at - changed_at))), "  # noqa: S608 - inner is the ORM's compiled query, values stay parameters  # nosec B608
            "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (next_at - changed_at))) "
            f"FROM ({inner}) AS stays WHERE next_at IS NOT NULL GROUP BY to_status"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            stats = {status: (n, avg, median) for status, n, avg, median in cursor.fetchall()}
    else:
        sql = (
            "SELECT to_status, (julianday(next_at) - julianday(changed_at)) * 86400.0 "  # noqa: S608 - inner is the ORM's compiled query, values stay parameters  # nosec B608
            f"FROM ({inner}) AS stays WHERE next_at IS NOT NULL"
        )
        seconds: dict[str, list[float]] = defaultdict(list)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for status, value in cursor.fetchall():
                seconds[status].append(value)
        stats = {s: (len(v), sum(v) / len(v), statistics.median(v)) for s, v in seconds.items()}
    return [
        {
            "status": status,
            "label": label,
            "stays": stats[status][0],
            "avg_days": round(float(stats[status][1]) / 86400, 1),
            "median_days": round(float(stats[status][2]) / 86400, 1),
        }
        for status, label in Lead.Status.choices
        if status in stats
    ]


def _week_start(value) -> date:
    """The Monday a TruncWeek value stands for, in the current time zone."""
    return timezone.localtime(value).date() if hasattr(value, "hour") else value


def get_trend(user: User, filters: FunnelFilters) -> list[dict[str, Any]]:
    """Return leads created and leads converted per week (weeks start on Monday) in the range."""
    created = (
        get_cohort(user, filters)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    converted = (
        _scope(Lead.objects.visible_to(user), filters)
        .filter(converted_at__gte=filters.start, converted_at__lt=filters.end)
        .annotate(week=TruncWeek("converted_at"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by()
    )
    weeks: dict[date, dict[str, int]] = {}
    first = filters.created_after - timedelta(days=filters.created_after.weekday())
    day = first
    while day <= filters.created_before:
        weeks[day] = {"created": 0, "converted": 0}
        day += timedelta(days=7)
    for key, rows in (("created", created), ("converted", converted)):
        for row in rows:
            weeks.setdefault(_week_start(row["week"]), {"created": 0, "converted": 0})[key] = row["n"]
    return [{"week": week.isoformat(), **counts} for week, counts in sorted(weeks.items())]


def get_pipeline(
    user: User, filters: FunnelFilters, *, owner_groups: list[Q] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Return open opportunities by stage and expected revenue by close month (the date range does not apply)."""
    open_stages = {stage.pk: stage for stage in Stage.objects.filter(is_closed=False)}
    qs = _scope(
        Opportunity.objects.visible_to(user).filter(stage_id__in=list(open_stages)), filters, source_field="lead_source"
    )
    # Grouped by stage and close date (a few hundred rows), folded into months here: truncating every deal's date
    # to its month in SQL costs more than the whole scan.
    grouped = (
        qs.values("stage_id", "close_date")
        .annotate(
            n=Count("pk"),
            total=Sum("amount"),
            weighted=Sum(
                ExpressionWrapper(
                    F("amount") * F("probability"), output_field=DecimalField(max_digits=20, decimal_places=2)
                )
            ),
        )
        .order_by()
    )
    groups = owner_groups if owner_groups is not None else _owner_groups(user, filters)
    rows = [row for group in groups for row in grouped.filter(group)]
    stages: dict[int, dict[str, Any]] = {}
    months: dict[date | None, dict[str, Any]] = {}
    for row in rows:
        stage = open_stages[row["stage_id"]]
        month = row["close_date"].replace(day=1) if row["close_date"] else None
        for bucket in (
            stages.setdefault(stage.pk, {"stage": stage.pk, "name": stage.name, "order": stage.order, **_zero()}),
            months.setdefault(month, {"month": month, **_zero()}),
        ):
            bucket["count"] += row["n"]
            bucket["amount"] += row["total"] or Decimal(0)
            bucket["weighted"] += row["weighted"] or Decimal(0)

    def money(bucket: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in bucket.items() if k not in {"amount", "weighted", "order"}}
        out["amount"] = _money(bucket["amount"])
        out["weighted_amount"] = _money(bucket["weighted"] / 100)
        return out

    return {
        "by_stage": [money(b) for b in sorted(stages.values(), key=lambda b: (b["order"], b["stage"]))],
        "by_close_month": [
            {**money(b), "month": b["month"].strftime("%Y-%m") if b["month"] else ""}
            for b in sorted(months.values(), key=lambda b: (b["month"] is None, b["month"] or date.min))
        ],
    }


def _zero() -> dict[str, Any]:
    return {"count": 0, "amount": Decimal(0), "weighted": Decimal(0)}


def get_closed_deals(user: User, filters: FunnelFilters) -> dict[str, Any]:
    """Return deals won and lost with `closed_at` in the range, and the lost ones by reason."""
    rows = (
        _scope(Opportunity.objects.visible_to(user), filters, source_field="lead_source")
        .filter(stage__is_closed=True, closed_at__gte=filters.start, closed_at__lt=filters.end)
        .values("stage__is_won", "lost_reason")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by()
    )
    won = {"count": 0, "amount": Decimal(0)}
    lost = {"count": 0, "amount": Decimal(0)}
    reasons: dict[str, dict[str, Any]] = defaultdict(lambda: {"count": 0, "amount": Decimal(0)})
    for row in rows:
        buckets = [won] if row["stage__is_won"] else [lost, reasons[row["lost_reason"].strip() or "(no reason given)"]]
        for bucket in buckets:
            bucket["count"] += row["n"]
            bucket["amount"] += row["total"] or Decimal(0)
    return {
        "won": {"count": won["count"], "amount": _money(won["amount"])},
        "lost": {"count": lost["count"], "amount": _money(lost["amount"])},
        "lost_reasons": [
            {"reason": reason, "count": v["count"], "amount": _money(v["amount"])}
            for reason, v in sorted(reasons.items(), key=lambda item: (-item[1]["count"], item[0]))
        ],
    }


def _owner_groups(user: User, filters: FunnelFilters) -> list[Q]:
    """Split the owners whose leads the report may count into index-friendly groups: named owners, and unassigned.

    A manager's "mine, my teams' or nobody's" is one OR that PostgreSQL cannot read from an owner-first index;
    asked as "owner in (…)" and "owner is null" separately, each part reads only its owners' index entries.
    The caller still applies `visible_to`, so a group never widens what the user sees; an owner or team filter
    (applied by `_scope`) already names the owners, so it needs no split.
    """
    if filters.owner is not None or filters.team is not None or user.is_admin:
        return [Q()]
    if user.role == User.Role.MANAGER:
        return [Q(owner__in=managed_owner_ids(user)), Q(owner__isnull=True)]
    return [Q(owner=user)]


def get_unattended(
    user: User, filters: FunnelFilters, *, now=None, owner_groups: list[Q] | None = None
) -> list[dict[str, Any]]:
    """Return, per owner, open leads with no activity for `filters.idle_days` days and the oldest idle since."""
    cutoff = (now or timezone.now()) - timedelta(days=filters.idle_days)
    idle = (
        _scope(Lead.objects.visible_to(user).open(), filters)
        .annotate(idle_since=Coalesce("last_activity_at", "created_at"))
        .filter(idle_since__lt=cutoff)
    )
    rows = [
        row
        for group in (owner_groups if owner_groups is not None else _owner_groups(user, filters))
        for row in idle.filter(group)
        .values("owner_id")
        .annotate(leads=Count("pk"), oldest=Min("idle_since"))
        .order_by()
    ]
    names = _owner_names(r["owner_id"] for r in rows)
    return sorted(
        (
            {
                "owner": r["owner_id"],
                "owner_name": names.get(r["owner_id"], "Unassigned"),
                "leads": r["leads"],
                "idle_since": r["oldest"],
            }
            for r in rows
        ),
        key=lambda r: (-r["leads"], r["owner_name"], r["owner"] or 0),
    )


def get_dashboard(user: User, filters: FunnelFilters) -> dict[str, Any]:
    """Return every section of the managers' dashboard as plain data."""
    funnel = get_funnel(user, filters)
    groups = _owner_groups(user, filters)
    medians = get_velocity_medians(user, filters)
    for step in funnel["velocity"]:
        step["median_days"] = medians.get(step["step"])
    return {
        **funnel,
        "time_in_status": get_time_in_status(user, filters),
        "trend": get_trend(user, filters),
        "pipeline": get_pipeline(user, filters, owner_groups=groups),
        "closed": get_closed_deals(user, filters),
        "unattended": get_unattended(user, filters, owner_groups=groups),
    }
