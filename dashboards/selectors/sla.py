"""Speed-to-lead report: median time to first touch per rep and per source, and the share within SLA by week.

Counted: the first-touch clocks (`assignment.LeadSla`) started in the chosen weeks (Monday to Sunday, UTC), of the
reps the user sees — a rep their own, a manager their teams', an admin everyone's; optionally one team's reps.
A clock is *decided* once it was touched or its target passed; *within SLA* means touched by its due time.
Time to first touch is in business minutes (the policy's working hours), over the touched leads; a lead reassigned
on breach stays on the rep who missed the target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db import connection, connections, router, transaction
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


def median_of_counts(counts: dict[int, int]) -> float | None:
    """The median of a multiset given as {value: how many times} (the mean of the two middle values for an even
    size, as `statistics.median` and PostgreSQL's `percentile_cont(0.5)`); None when empty."""
    size = sum(counts.values())
    if not size:
        return None
    middle = ((size - 1) // 2, size // 2)  # the positions of the middle value(s), from 0
    found, seen = [], 0
    for value in sorted(counts):
        seen += counts[value]
        while len(found) < 2 and middle[len(found)] < seen:
            found.append(value)
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


def _tables(rows) -> tuple[list[dict], list[dict], dict[date, dict]]:
    """Fold (set, owner, source, week, minutes, leads, decided, within, touched) rows into the three tables.

    A row of the rep or source set counts the clocks of one group with one time to first touch (None: untouched);
    the group's figures are their sums and its median comes from those counts.
    """
    groups: dict[tuple[str, Any], dict[str, Any]] = {}
    weeks: dict[date, dict] = {}
    for grouping, owner_id, source, week, minutes, *figures in rows:
        figures = dict(zip(("leads", "decided", "within", "touched"), figures, strict=True))
        if grouping == "week":
            weeks[week.date() if isinstance(week, datetime) else week] = figures
            continue
        key = (grouping, owner_id if grouping == "rep" else source)
        group = groups.setdefault(key, {"leads": 0, "decided": 0, "within": 0, "touched": 0, "minutes": {}})
        for name, value in figures.items():
            group[name] += value
        if minutes is not None:
            group["minutes"][minutes] = group["minutes"].get(minutes, 0) + figures["leads"]
    by_rep, by_source = [], []
    for (grouping, value), group in groups.items():
        row = {name: group[name] for name in ("leads", "decided", "within", "touched")}
        row["median"] = median_of_counts(group["minutes"])
        if grouping == "rep":
            by_rep.append({"owner_id": value, **row})
        else:
            by_source.append({"source": value, **row})
    by_rep.sort(key=lambda row: row["owner_id"] or 0)
    by_source.sort(key=lambda row: row["source"])
    return by_rep, by_source, weeks


def _counts_by(clocks, keys: list[str], now: datetime):
    return clocks.order_by().values_list(*keys).annotate(**_counts(now)).order_by()


def _rows_orm(clocks, now: datetime) -> list[tuple]:
    """The rows `_tables` folds, by three ORM queries (SQLite: the embedded installation)."""
    rows = [("rep", owner, None, None, minutes, *n) for owner, minutes, *n in _counts_by(
        clocks, ["owner_id", "touch_minutes"], now)]  # fmt: skip
    rows += [("source", None, source, None, minutes, *n) for source, minutes, *n in _counts_by(
        clocks, ["source", "touch_minutes"], now)]  # fmt: skip
    weekly = clocks.annotate(week=TruncWeek("assigned_at", tzinfo=UTC))
    rows += [("week", None, None, week, None, *n) for week, *n in _counts_by(weekly, ["week"], now)]
    return rows


# PostgreSQL reads the clocks once for the three tables: GROUPING SETS over the scoped ORM query, counting the
# clocks per time to first touch for the medians (a hash per set, no sort). `GROUPING(owner_id, source, week)`
# tells the sets apart: 3 = by rep (and minutes), 5 = by source (and minutes), 6 = by week.
GROUPING_SETS_SQL = """
SELECT GROUPING(owner_id, source, week), owner_id, source, week, touch_minutes, count(*),
       count(*) FILTER (WHERE first_touch_at IS NOT NULL OR due_at <= %s),
       count(*) FILTER (WHERE first_touch_at <= due_at),
       count(*) FILTER (WHERE first_touch_at IS NOT NULL)
FROM (SELECT c.*, date_trunc('week', c.assigned_at AT TIME ZONE 'UTC') AS week FROM ({clocks}) AS c) AS c
GROUP BY GROUPING SETS ((owner_id, touch_minutes), (source, touch_minutes), (week))
"""
SETS = {3: "rep", 5: "source", 6: "week"}


# Room to hash all three sets (PostgreSQL's default 4 MB sorts a company's weeks on disk), for this statement only.
REPORT_WORK_MEM = "32MB"


def _rows_grouping_sets(clocks, now: datetime) -> list[tuple]:
    columns = ("owner_id", "source", "assigned_at", "due_at", "first_touch_at", "touch_minutes")
    sql, params = clocks.order_by().values(*columns).query.sql_with_params()
    # Read where the ORM would (the replica inside a report, core/replica.py); a standby takes set_config too.
    alias = router.db_for_read(LeadSla)
    with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
        cursor.execute("SELECT set_config('work_mem', %s, true)", [REPORT_WORK_MEM])
        cursor.execute(GROUPING_SETS_SQL.format(clocks=sql), (now, *params))
        return [(SETS[grouping], *rest) for grouping, *rest in cursor.fetchall()]


def get_sla_report(user, filters: SlaFilters, *, now: datetime | None = None) -> dict[str, list[dict[str, Any]]]:
    """The report's three tables for `user` under `filters` (see the module docstring)."""
    now = now or timezone.now()
    clocks = _clocks(user, filters)
    rows = _rows_grouping_sets(clocks, now) if connection.vendor == "postgresql" else _rows_orm(clocks, now)
    by_rep, by_source, weeks = _tables(rows)
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
