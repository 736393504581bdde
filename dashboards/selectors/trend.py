"""Leads created and converted per week over the date range."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncWeek
from django.utils import timezone

from dashboards import funnel_rollup
from dashboards.filters import FunnelFilters
from dashboards.selectors.cohort import get_cohort, scope
from leads.models import Lead
from users.models import User


def _week_start(value) -> date:
    """The Monday a TruncWeek value stands for, in the current time zone."""
    return timezone.localtime(value).date() if hasattr(value, "hour") else value


def get_trend(user: User, filters: FunnelFilters) -> list[dict[str, Any]]:
    """Return leads created and leads converted per week (weeks start on Monday) in the range."""
    if funnel_rollup.answers(filters):
        created = [
            {"week": row["day"] - timedelta(days=row["day"].weekday()), "n": row["leads"]}
            for row in funnel_rollup.funnel_rows(user, filters, by=("day",))
        ]
    else:
        created = (
            get_cohort(user, filters)
            .annotate(week=TruncWeek("created_at"))
            .values("week")
            .annotate(n=Count("pk"))
            .order_by()
        )
    converted = (
        scope(Lead.objects.visible_to(user), filters)
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
            weeks.setdefault(_week_start(row["week"]), {"created": 0, "converted": 0})[key] += row["n"]
    return [{"week": week.isoformat(), **counts} for week, counts in sorted(weeks.items())]
