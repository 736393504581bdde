"""The `forecast` figure: the forecast report (selector, page, API) vs one hand-written SQL statement.

First gives the dataset what a forecast reads, a function of the row number: every deal takes its stage's forecast
category, one open deal in seven is put in commit by hand, one deal in ten had its close date moved (35 days later),
each rep has a quota for this and next month and quarter; then the weekly snapshot is taken as of last week (timed:
`take_forecast_snapshots` over every user and the four periods). Then, as the first manager (10 reps) and as the
admin (everyone): `get_forecast` for this quarter, the page `/dashboard/forecast/` and `GET
/api/v1/reports/forecast/`, each median of 10, against ONE statement computing the same per-rep figures, quota and
last week's snapshot; the two must agree (`mismatches` in details, must be 0). Afterwards the quotas, snapshots and
close-date changes are deleted and the deals' categories are their stages' again.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.utils import timezone

from dashboards.selectors.forecast import get_forecast, parse_forecast_filters
from opportunities.forecasting import snapshot_week, take_forecast_snapshots
from opportunities.models import ForecastSnapshot, OpportunityCloseDateChange, PeriodKind, Quota
from opportunities.selectors import FORECAST_FIGURES, PERIODS, get_period

RUNS = 10
PERIOD = "this_quarter"
HAND_WRITTEN = """
WITH figures AS (
    SELECT o.owner_id,
           COALESCE(SUM(o.amount) FILTER (WHERE s.is_won), 0) AS closed_won,
           COALESCE(SUM(o.amount) FILTER (WHERE NOT s.is_closed AND o.forecast_category = 'commit'), 0) AS commit,
           COALESCE(SUM(o.amount) FILTER (WHERE NOT s.is_closed AND o.forecast_category = 'best_case'), 0)
               AS best_case,
           COALESCE(SUM(o.amount) FILTER (WHERE NOT s.is_closed AND o.forecast_category = 'pipeline'), 0)
               AS pipeline,
           ROUND(COALESCE(SUM(o.amount * o.probability)
               FILTER (WHERE NOT s.is_closed AND o.forecast_category <> 'omitted'), 0) / 100, 2) AS weighted
    FROM opportunities_opportunity o JOIN opportunities_stage s ON s.id = o.stage_id
    WHERE o.close_date BETWEEN %(start)s AND %(end)s AND o.owner_id IS NOT NULL {owner_filter}
    GROUP BY o.owner_id
)
SELECT u.id, f.closed_won, f.commit, f.best_case, f.pipeline, f.weighted, q.amount,
       sn.closed_won, sn.commit, sn.best_case, sn.pipeline, sn.weighted
FROM users_user u
LEFT JOIN figures f ON f.owner_id = u.id
LEFT JOIN opportunities_quota q ON q.user_id = u.id AND q.period = %(kind)s AND q.period_start = %(start)s
LEFT JOIN opportunities_forecastsnapshot sn ON sn.user_id = u.id AND sn.week = %(week)s AND sn.period = %(kind)s
    AND sn.period_start = %(start)s
WHERE (f.owner_id IS NOT NULL OR q.id IS NOT NULL OR u.role = 'rep') {user_filter}
"""


def q(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def median_ms(fn, runs: int = RUNS) -> float:
    fn()
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return round(statistics.median(timings) * 1000, 1)


def prepare(ctx) -> dict:
    """Categories from the stages (a seventh of open deals in commit by hand), moved close dates, quotas."""
    q(
        "UPDATE opportunities_opportunity o SET forecast_category = CASE WHEN NOT s.is_closed AND o.id % 7 = 0"
        " THEN 'commit' ELSE s.forecast_category END, forecast_overridden = (NOT s.is_closed AND o.id % 7 = 0),"
        " forecast_note = CASE WHEN NOT s.is_closed AND o.id % 7 = 0 THEN 'bench' ELSE '' END"
        " FROM opportunities_stage s WHERE s.id = o.stage_id"
    )
    q(
        "INSERT INTO opportunities_opportunityclosedatechange (opportunity_id, from_date, to_date, changed_by_id,"
        " changed_at) SELECT id, close_date - 35, close_date, owner_id, now() - (id % 20) * interval '1 day'"
        " FROM opportunities_opportunity WHERE id % 10 = 0 AND close_date IS NOT NULL"
    )
    today = timezone.localdate()
    quotas = [
        Quota(user=rep, period=period.kind, period_start=period.start, amount=Decimal(50_000 + 1_000 * (i % 9)))
        for i, rep in enumerate(ctx.reps)
        for period in (get_period(key, today=today) for key, _label in PERIODS)
    ]
    Quota.objects.bulk_create(quotas)
    q("ANALYZE")
    return {"quotas": len(quotas), "close_date_changes": OpportunityCloseDateChange.objects.count()}


def hand_written(user, period, week) -> dict[int, dict]:
    params = {"start": period.start, "end": period.end, "kind": period.kind, "week": week}
    owner_filter = user_filter = ""
    if not user.is_admin:
        params["owners"] = [user.pk, *user.__class__.objects.filter(team__manager=user).values_list("pk", flat=True)]
        owner_filter, user_filter = "AND o.owner_id = ANY(%(owners)s)", "AND u.id = ANY(%(owners)s)"
    result = {}
    for row in q(HAND_WRITTEN.format(owner_filter=owner_filter, user_filter=user_filter), params):
        figures = dict(zip(FORECAST_FIGURES, (value or Decimal(0) for value in row[1:6]), strict=True))
        result[row[0]] = {**figures, "quota": row[6], "last_commit": row[8]}
    return result


def run(ctx) -> dict:
    from bench.run import row

    details: dict = {"period": PERIOD, "runs": RUNS, **prepare(ctx)}
    try:
        week_ago = timezone.now() - timedelta(days=7)
        seconds, written = ctx.timed(take_forecast_snapshots, week_ago)
        details["snapshots_written"] = written
        rows = [row("weekly snapshot, every user, 4 periods", round(seconds * 1000, 1), "ms")]
        week = snapshot_week(week_ago.date())
        for label, user in (("manager", ctx.managers[0]), ("admin", ctx.admin)):
            filters = parse_forecast_filters(user, {"period": PERIOD})
            baseline = median_ms(lambda user=user, filters=filters: hand_written(user, filters.period, week))
            ours = median_ms(lambda user=user, filters=filters: get_forecast(user, filters))
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            for path in ("/dashboard/forecast/", "/api/v1/reports/forecast/"):
                response = client.get(path, {"period": PERIOD})
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code} to the {label}")
            page = median_ms(lambda client=client: client.get("/dashboard/forecast/", {"period": PERIOD}))
            api = median_ms(lambda client=client: client.get("/api/v1/reports/forecast/", {"period": PERIOD}))
            for name, value in (("selector", ours), ("page", page), ("API", api)):
                rows.append(row(f"{label}: {name}, median", value, "ms", baseline=baseline,
                                baseline_label="hand-written SQL, median"))  # fmt: skip
            report = get_forecast(user, filters)
            expected = hand_written(user, filters.period, week)
            ours_by_rep = {
                r["user_id"]: {
                    **{name: r[name] for name in FORECAST_FIGURES},
                    "quota": r["quota"],
                    "last_commit": r["commit"] - r["change"]["commit"] if r["change"] else None,
                }
                for r in report["reps"]
            }
            details[f"{label}_reps"] = len(ours_by_rep)
            details[f"{label}_slipped"] = len(report["slipped"])
            details[f"{label}_mismatches"] = sum(
                1 for pk in set(ours_by_rep) | set(expected) if ours_by_rep.get(pk) != expected.get(pk)
            )
        return {"rows": rows, "details": details}
    finally:
        ForecastSnapshot.objects.all().delete()
        Quota.objects.filter(period__in=PeriodKind.values).delete()
        OpportunityCloseDateChange.objects.all().delete()
        q(
            "UPDATE opportunities_opportunity o SET forecast_category = s.forecast_category,"
            " forecast_overridden = false, forecast_note = '' FROM opportunities_stage s WHERE s.id = o.stage_id"
        )
