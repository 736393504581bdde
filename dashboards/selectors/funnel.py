"""The lead funnel: stage counts and conversions, the same by source and by owner, and the velocity averages."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from dashboards import funnel_rollup
from dashboards.filters import FunnelFilters
from dashboards.selectors.cohort import get_cohort, owner_names
from dashboards.selectors.formatting import to_days, to_money, to_rate
from dashboards.selectors.velocity import VELOCITY_STEPS, duration
from leads.models import LeadSource
from users.models import User

STAGES = [
    ("lead", "Leads"),
    ("mql", "MQLs"),
    ("sql", "SQLs"),
    ("converted", "Converted"),
    ("won", "Won"),
]
SOURCE_LABELS = dict(LeadSource.choices)


def _from_rollup(row: dict[str, Any]) -> dict[str, Any]:
    """A rollup row in the shape of the cohort's aggregate row (velocity sums as durations)."""
    for key, *_ in VELOCITY_STEPS:
        row[f"{key}_sum"] = timedelta(seconds=row.pop(f"{key}_seconds")) if row[f"{key}_n"] else None
    return row


def get_funnel(user: User, filters: FunnelFilters) -> dict[str, Any]:
    """Return the funnel stages, conversion by source and by owner, and the velocity averages.

    Two queries: one grouped aggregate over the cohort (by source and owner), and one over its won deals. On
    PostgreSQL the first reads the funnel rollup instead of the cohort's leads (`dashboards.funnel_rollup`).
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
        aggregates[f"{key}_sum"] = Sum(duration(end, start), filter=both)
    cohort = get_cohort(user, filters)
    if funnel_rollup.answers(filters):
        rows = [_from_rollup(row) for row in funnel_rollup.funnel_rows(user, filters)]
    else:
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
        out["conversion_rate"] = to_rate(values["converted"], values["leads"])
        out["won_amount"] = to_money(values["won_amount"])
        return out

    names = owner_names(by_owner)
    stages = []
    previous = None
    for key, label in STAGES:
        count = total[{"lead": "leads", "mql": "mqls", "sql": "sqls"}.get(key, key)]
        stages.append(
            {
                "key": key,
                "label": label,
                "count": count,
                "step_conversion": 1.0 if previous is None else to_rate(count, previous),
                "overall_conversion": to_rate(count, total["leads"]),
            }
        )
        previous = count
    velocity = [
        {
            "step": key,
            "label": label,
            "leads": total[f"{key}_n"],
            "avg_days": to_days(timedelta(seconds=total[f"{key}_sum"]), total[f"{key}_n"]),
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
