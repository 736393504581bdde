"""How long cohort leads stayed in each status before their next change."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any

from django.db import connections, router
from django.db.models import F, Window
from django.db.models.functions import Lead as NextValue

from dashboards.filters import FunnelFilters
from dashboards.selectors.cohort import get_cohort
from leads.models import Lead, LeadStatusChange
from users.models import User


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
    # The hand-written outer query reads where the ORM would (the replica inside a report, core/replica.py).
    connection = connections[router.db_for_read(LeadStatusChange)]
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
