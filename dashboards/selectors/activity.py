"""The activity report: what each rep did per day or week, a leaderboard and a weekly trend.

Definitions (the page, the exports, the API and the weekly digest agree on them):

- **Reps**: the users whose work the caller may see (`selectable_owners`: an admin everyone, a manager themselves
  and the members of the teams they manage, a rep themselves), narrowed by the team and owner filters.
- **Range**: the inclusive days `created_after`..`created_before` of the dashboard filters, in the site's zone.
- **Calls** (by outcome), **emails**, **meetings**: activities of that kind the rep owns, logged (`created_at`) in
  the range; a call without an outcome counts under `calls_other`.
- **Tasks done**: task activities the rep owns completed (`completed_at`) in the range.
- **Leads worked**: distinct leads the rep logged an activity on or changed the status of in the period (the status
  a lead is created or imported with is not work: an import would otherwise top the board). Counted from the
  rollup `activities.work` keeps beside every activity and status change.
- **Leads converted**: leads the rep owns converted (`converted_at`) in the range.
- **Score** (the leaderboard's default order): ``10 x converted + 3 x meetings + 2 x connected calls + 1 x every
  other call, email, task done and lead worked``; ties by name. Any column may be the order instead.

A handful of queries whatever the data size, each reading one range of an index per rep: activities logged, tasks
completed, leads worked (the rollup's rows; the range's cut weeks deduplicated from its day rows), converted
leads; they are combined per rep and per period in Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate, TruncWeek

from activities.models import Activity, WorkedLeadDay, WorkedLeadWeek
from dashboards.filters import FunnelFilters, selectable_owners
from leads.models import Lead
from users.models import User

PERIODS = ("day", "week")
CALL_OUTCOMES = [(value, label) for value, label in Activity.CallOutcome.choices]
COUNTERS = [
    ("calls", "Calls"),
    *[(f"calls_{value}", f"Calls: {label.lower()}") for value, label in CALL_OUTCOMES],
    ("calls_other", "Calls: no outcome"),
    ("emails", "Emails"),
    ("meetings", "Meetings"),
    ("tasks_done", "Tasks done"),
    ("leads_worked", "Leads worked"),
    ("converted", "Leads converted"),
]
COUNTER_KEYS = [key for key, _label in COUNTERS]
SORT_KEYS = ("score", "name", *COUNTER_KEYS)
SCORE_WEIGHTS = {"converted": 10, "meetings": 3, "calls_connected": 2}


def score(row: dict[str, int]) -> int:
    """Return the leaderboard score of one rep's counts (see the module's definition)."""
    other_calls = row["calls"] - row["calls_connected"]
    plain = other_calls + row["emails"] + row["tasks_done"] + row["leads_worked"]
    return plain + sum(weight * row[key] for key, weight in SCORE_WEIGHTS.items())


def list_reps(user: User, filters: FunnelFilters) -> list[User]:
    """Return the reps whose work `user` may see, narrowed by the filters' team and owner."""
    reps = selectable_owners(user)
    if filters.team is not None:
        reps = reps.filter(team=filters.team)
    if filters.owner is not None:
        reps = reps.filter(pk=filters.owner.pk)
    return list(reps.only("pk", "name", "first_name", "last_name", "username").order_by("pk"))


def _bucket(field: str, period: str):
    return TruncDate(field) if period == "day" else TruncWeek(field)


def _as_day(value) -> date:
    """The day a truncated period stands for: a date, a datetime, or (SQLite, read raw) their ISO text."""
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value.date() if hasattr(value, "hour") else value


def count_activity(rep_ids: list[int], filters: FunnelFilters, period: str = "week") -> dict[tuple[int, date], dict]:
    """Return every counter keyed by (rep id, first day of the period) for the reps `rep_ids` (see `list_reps`).

    Each read is a range of a per-owner index that holds what it needs (`activity_owner_created`,
    `activity_owner_tasks`, `status_change_changer_time`): the reps' activities logged, their tasks completed and
    their status changes in the range, never a table row.
    """
    counts: dict[tuple[int, date], dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTER_KEYS, 0))
    if not rep_ids:
        return {}
    kind = Activity.Kind
    logged = (
        Activity.objects.filter(
            owner_id__in=rep_ids,
            kind__in=[kind.CALL, kind.EMAIL, kind.MEETING],
            created_at__gte=filters.start,
            created_at__lt=filters.end,
        )
        .annotate(period=_bucket("created_at", period))
        .values("owner_id", "period")
        .annotate(  # of `kind`, not the id: the index holds every column these counts read
            calls=Count("kind", filter=Q(kind=kind.CALL)),
            calls_other=Count("kind", filter=Q(kind=kind.CALL, call_outcome="")),
            emails=Count("kind", filter=Q(kind=kind.EMAIL)),
            meetings=Count("kind", filter=Q(kind=kind.MEETING)),
            **{
                f"calls_{value}": Count("kind", filter=Q(kind=kind.CALL, call_outcome=value))
                for value, _label in CALL_OUTCOMES
            },
        )
        .order_by()
    )
    done = (
        Activity.objects.filter(
            owner_id__in=rep_ids, kind=kind.TASK, completed_at__gte=filters.start, completed_at__lt=filters.end
        )
        .annotate(period=_bucket("completed_at", period))
        .values("owner_id", "period")
        .annotate(tasks_done=Count("*"))
        .order_by()
    )
    for rows in (logged, done):
        for row in rows:
            counts[(row.pop("owner_id"), _as_day(row.pop("period")))].update(row)
    for (rep, day), n in _count_leads_worked(rep_ids, filters, period):
        counts[(rep, day)]["leads_worked"] = n
    converted = (
        Lead.objects.filter(owner_id__in=rep_ids, converted_at__gte=filters.start, converted_at__lt=filters.end)
        .annotate(period=_bucket("converted_at", period))
        .values("owner_id", "period")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in converted:
        counts[(row["owner_id"], _as_day(row["period"]))]["converted"] = row["n"]
    return dict(counts)


def _count_leads_worked(rep_ids: list[int], filters: FunnelFilters, period: str) -> list[tuple[tuple[int, date], int]]:
    """Distinct leads per rep and period the rep worked in the range (`activities.work`'s rollup, counted).

    By day: the day rows. By week: the week rows for the weeks wholly inside the range, and for a week the range
    cuts (its first and last) the distinct leads of its day rows inside the range.
    """
    first, last = filters.created_after, filters.created_before
    days = WorkedLeadDay.objects.filter(rep_id__in=rep_ids, day__gte=first, day__lte=last).order_by()
    if period == "day":
        rows = days.values_list("rep_id", "day").annotate(n=Count("*"))
        return [((rep, _as_day(day)), n) for rep, day, n in rows]
    whole_from = first + timedelta(days=-first.weekday() % 7)  # the first Monday in the range
    whole_to = last - timedelta(days=(last.weekday() + 1) % 7)  # the last Sunday in the range
    out = []
    if whole_from < whole_to:
        weeks = WorkedLeadWeek.objects.filter(rep_id__in=rep_ids, week__gte=whole_from, week__lt=whole_to)
        out += weeks.order_by().values_list("rep_id", "week").annotate(n=Count("*"))
        # The cut days by name: each is one probe of the index per rep, not a walk over the whole range.
        cut_days = [first + timedelta(days=n) for n in range((whole_from - first).days)]
        cut_days += [whole_to + timedelta(days=n) for n in range(1, (last - whole_to).days + 1)]
        cut = days.filter(day__in=cut_days)
    else:
        cut = days
    out += cut.annotate(week=TruncWeek("day")).values_list("rep_id", "week").annotate(n=Count("lead_id", distinct=True))
    return [((rep, _as_day(week)), n) for rep, week, n in out]


def _periods(filters: FunnelFilters, period: str) -> list[date]:
    day = filters.created_after
    step = timedelta(days=1)
    if period == "week":
        day -= timedelta(days=day.weekday())
        step = timedelta(days=7)
    out = []
    while day <= filters.created_before:
        out.append(day)
        day += step
    return out


def get_activity_report(
    user: User, filters: FunnelFilters, *, period: str = "week", sort: str = "score"
) -> dict[str, Any]:
    """Return the activity report: rows per rep and period, the leaderboard and the weekly trend.

    `period` is "day" or "week" (the rows' grain; the trend is always weekly); `sort` orders the leaderboard by
    "score" (default), "name" or any counter, largest first.
    """
    if period not in PERIODS:
        raise ValueError(f"period must be one of {', '.join(PERIODS)}")
    if sort not in SORT_KEYS:
        raise ValueError(f"sort must be one of {', '.join(SORT_KEYS)}")
    reps = {rep.pk: rep.display_name for rep in list_reps(user, filters)}
    counts = count_activity(list(reps), filters, period)
    weekly = counts if period == "week" else count_activity(list(reps), filters, "week")
    rows = [
        {"rep": rep, "rep_name": reps[rep], "period": day.isoformat(), **values}
        for (rep, day), values in sorted(counts.items(), key=lambda item: (item[0][1], reps[item[0][0]], item[0][0]))
    ]
    totals = {rep: dict.fromkeys(COUNTER_KEYS, 0) for rep in reps}
    for (rep, _day), values in counts.items():
        for key in COUNTER_KEYS:
            totals[rep][key] += values[key]
    leaderboard = [
        {"rep": rep, "rep_name": reps[rep], **values, "score": score(values)} for rep, values in totals.items()
    ]
    if sort == "name":
        leaderboard.sort(key=lambda row: (row["rep_name"], row["rep"]))
    else:
        leaderboard.sort(key=lambda row: (-row[sort], row["rep_name"], row["rep"]))
    for rank, row in enumerate(leaderboard, start=1):
        row["rank"] = rank
    trend = {week: dict.fromkeys(COUNTER_KEYS, 0) for week in _periods(filters, "week")}
    for (_rep, week), values in weekly.items():
        bucket = trend.setdefault(week, dict.fromkeys(COUNTER_KEYS, 0))
        for key in COUNTER_KEYS:
            bucket[key] += values[key]
    return {
        "period": period,
        "sort": sort,
        "rows": rows,
        "leaderboard": leaderboard,
        "trend": [{"week": week.isoformat(), **values} for week, values in sorted(trend.items())],
        "totals": {key: sum(row[key] for row in leaderboard) for key in COUNTER_KEYS},
    }


def parse_activity_options(params) -> dict[str, str]:
    """Read the report's own query parameters (`period`, `sort`); raise ValueError naming a bad one."""
    period = params.get("period") or "week"
    sort = params.get("sort") or "score"
    if period not in PERIODS:
        raise ValueError(f"period: must be one of {', '.join(PERIODS)}.")
    if sort not in SORT_KEYS:
        raise ValueError(f"sort: must be one of {', '.join(SORT_KEYS)}.")
    return {"period": period, "sort": sort}
