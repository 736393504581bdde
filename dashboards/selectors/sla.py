"""Speed-to-lead report: median time to first touch per rep and per source, and the share within SLA by week.

Counted: the first-touch clocks (`assignment.LeadSla`) started in the chosen weeks (Monday to Sunday, UTC), of the
reps the user sees — a rep their own, a manager their teams', an admin everyone's; optionally one team's reps.
A clock is *decided* once it was touched or its target passed; *within SLA* means touched by its due time.
Time to first touch is in business minutes (the policy's working hours), over the touched leads; a lead reassigned
on breach stays on the rep who missed the target.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from assignment.models import LeadSla
from leads.models import LeadSource
from users.models import Team, User

DEFAULT_WEEKS = 8
MAX_WEEKS = 53
BREAKDOWNS = ("rep", "source")


@dataclass(frozen=True)
class SlaFilters:
    week_from: date  # a Monday
    week_to: date  # a Monday, inclusive
    team: Team | None = None

    def bounds(self) -> tuple[datetime, datetime]:
        start = datetime.combine(self.week_from, time.min, tzinfo=UTC)
        return start, datetime.combine(self.week_to + timedelta(days=7), time.min, tzinfo=UTC)

    def query(self) -> dict[str, str]:
        params = {"from": self.week_from.isoformat(), "to": self.week_to.isoformat()}
        if self.team is not None:
            params["team"] = str(self.team.pk)
        return params


class SlaFilterError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_sla_filters(user, params) -> SlaFilters:
    """Read `from`, `to` (dates; their weeks) and `team` (an id the user sees); raise SlaFilterError naming a bad one.

    A team the user may not see reads as absent: `Team.DoesNotExist` (a 404 to the caller).
    """
    today = timezone.now().date()
    parsed: dict[str, date] = {}
    for name, default in (("from", today - timedelta(weeks=DEFAULT_WEEKS - 1)), ("to", today)):
        text = (params.get(name) or "").strip()
        try:
            parsed[name] = _monday(date.fromisoformat(text) if text else default)
        except ValueError:
            raise SlaFilterError(name, f"{name}: give a date as YYYY-MM-DD.") from None
    if parsed["from"] > parsed["to"]:
        raise SlaFilterError("from", "from: the first week must not come after the last.")
    if (parsed["to"] - parsed["from"]).days // 7 + 1 > MAX_WEEKS:
        raise SlaFilterError("to", f"to: show at most {MAX_WEEKS} weeks.")
    team = None
    text = (params.get("team") or "").strip()
    if text:
        if not text.isdigit():
            raise SlaFilterError("team", "team: give a team id.")
        team = Team.objects.visible_to(user).get(pk=int(text))
    return SlaFilters(parsed["from"], parsed["to"], team)


def _clocks(user, filters: SlaFilters):
    start, end = filters.bounds()
    clocks = LeadSla.objects.visible_to(user).filter(assigned_at__gte=start, assigned_at__lt=end)
    if filters.team is not None:
        clocks = clocks.filter(owner__team=filters.team)
    return clocks


def _counts(now: datetime) -> dict[str, Any]:
    decided = Q(first_touch_at__isnull=False) | Q(due_at__lte=now)
    return {
        "leads": Count("pk"),
        "decided": Count("pk", filter=decided),
        "within": Count("pk", filter=Q(first_touch_at__lte=F("due_at"))),
        "touched": Count("pk", filter=Q(first_touch_at__isnull=False)),
    }


def _grouped(clocks, key: str, now: datetime) -> list[dict[str, Any]]:
    """One table by `key` through the ORM, the median sorted in Python (SQLite: the embedded installation)."""
    rows = list(clocks.order_by().values(key).annotate(**_counts(now)).order_by(key))
    minutes: dict[Any, list[int]] = {}
    for group, value in clocks.filter(touch_minutes__isnull=False).order_by().values_list(key, "touch_minutes"):
        minutes.setdefault(group, []).append(value)
    for row in rows:
        values = minutes.get(row[key])
        row["median"] = statistics.median(values) if values else None
    return rows


# PostgreSQL reads the clocks once for the three tables: GROUPING SETS over the scoped ORM query, with the exact
# median (percentile_cont). `GROUPING(owner_id, source)` tells the sets apart: 1 = by rep, 2 = by source, 3 = by week.
GROUPING_SETS_SQL = """
SELECT GROUPING(owner_id, source), owner_id, source, week, count(*),
       count(*) FILTER (WHERE first_touch_at IS NOT NULL OR due_at <= %s),
       count(*) FILTER (WHERE first_touch_at <= due_at),
       count(*) FILTER (WHERE first_touch_at IS NOT NULL),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY touch_minutes)
FROM (SELECT c.*, date_trunc('week', c.assigned_at AT TIME ZONE 'UTC') AS week FROM ({clocks}) AS c) AS c
GROUP BY GROUPING SETS ((owner_id), (source), (week))
"""
FIGURE_KEYS = ("leads", "decided", "within", "touched", "median")


def _grouping_sets(clocks, now: datetime) -> tuple[list[dict], list[dict], dict[date, dict]]:
    columns = ("owner_id", "source", "assigned_at", "due_at", "first_touch_at", "touch_minutes")
    sql, params = clocks.order_by().values(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(GROUPING_SETS_SQL.format(clocks=sql), (now, *params))
        rows = cursor.fetchall()
    by_rep, by_source, weeks = [], [], {}
    for grouping, owner_id, source, week, *figures in rows:
        figures = dict(zip(FIGURE_KEYS, figures, strict=True))
        if grouping == 1:
            by_rep.append({"owner_id": owner_id, **figures})
        elif grouping == 2:
            by_source.append({"source": source, **figures})
        else:
            weeks[week.date()] = figures
    by_rep.sort(key=lambda row: row["owner_id"] or 0)
    by_source.sort(key=lambda row: row["source"])
    return by_rep, by_source, weeks


def get_sla_report(user, filters: SlaFilters, *, now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """The report's three tables for `user` under `filters` (see the module docstring)."""
    now = now or timezone.now()
    clocks = _clocks(user, filters)
    if connection.vendor == "postgresql":
        by_rep, by_source, weeks = _grouping_sets(clocks, now)
    else:
        by_rep, by_source = _grouped(clocks, "owner_id", now), _grouped(clocks, "source", now)
        weeks = {
            row["week"].date() if isinstance(row["week"], datetime) else row["week"]: row
            for row in clocks.annotate(week=TruncWeek("assigned_at", tzinfo=UTC))
            .order_by()
            .values("week")
            .annotate(**_counts(now))
        }
    for row in (*by_rep, *by_source):
        row["share"] = row["within"] / row["decided"] if row["decided"] else None
    users = User.objects.filter(pk__in=[row["owner_id"] for row in by_rep]).values_list("pk", "name", "username")
    names = {pk: name or username for pk, name, username in users}
    for row in by_rep:
        row["rep"] = names.get(row["owner_id"], "—")
    labels = dict(LeadSource.choices)
    for row in by_source:
        row["source_label"] = labels.get(row["source"], row["source"] or "—")
    by_week = []
    day = filters.week_from
    while day <= filters.week_to:
        row = weeks.get(day, {"leads": 0, "decided": 0, "within": 0, "touched": 0})
        share = row["within"] / row["decided"] if row["decided"] else None
        by_week.append({"week": day, **{k: row[k] for k in ("leads", "decided", "within", "touched")}, "share": share})
        day += timedelta(days=7)
    return {"by_rep": by_rep, "by_source": by_source, "by_week": by_week}
