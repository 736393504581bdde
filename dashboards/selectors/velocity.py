"""How fast cohort leads move from stage to stage: the velocity steps and their medians."""

from __future__ import annotations

import statistics
from datetime import timedelta

from django.db import connection
from django.db.models import Aggregate, DurationField, ExpressionWrapper, F, Q

from dashboards.filters import FunnelFilters
from dashboards.selectors.cohort import get_cohort
from dashboards.selectors.formatting import to_days
from users.models import User


class Median(Aggregate):
    """PostgreSQL's interpolated median (`percentile_cont(0.5)`); other databases take the Python fallback."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


def duration(end: str, start: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


VELOCITY_STEPS = [
    # key, label, end field, start field
    ("lead_to_mql", "Lead → MQL", "mql_at", "created_at"),
    ("mql_to_sql", "MQL → SQL", "qualified_at", "mql_at"),
    ("sql_to_converted", "SQL → Converted", "converted_at", "qualified_at"),
    ("lead_to_converted", "Lead → Converted", "converted_at", "created_at"),
]


def get_velocity_medians(user: User, filters: FunnelFilters) -> dict[str, float | None]:
    """Return the median days of each velocity step over the cohort (percentile_cont on PostgreSQL)."""
    cohort = get_cohort(user, filters)
    if connection.vendor == "postgresql":
        result = cohort.aggregate(
            **{
                key: Median(duration(end, start), output_field=DurationField())
                for key, _l, end, start in VELOCITY_STEPS
            }
        )
        return {key: to_days(value) for key, value in result.items()}
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
    return {key: to_days(statistics.median(values)) if values else None for key, values in spans.items()}
