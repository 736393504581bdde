"""The `sla` figure: the speed-to-lead report (dashboards.selectors.sla), its page and its API, next to hand SQL.

Setup: every owned lead of the dataset gets a first-touch clock (`INSERT … SELECT`, a function of the row number):
assigned when created, due two hours later, 80% touched after `id % 300` minutes. After VACUUM ANALYZE (the steady
state autovacuum keeps), measured as the first manager (10 reps) and the admin, median of REPEAT: `get_sla_report`
over the default 8 weeks and over 53 weeks, the page `/dashboard/sla/` and `GET /api/v1/reports/sla/` (8 weeks).
Baseline: ONE hand-written statement (GROUPING SETS, `percentile_cont` medians) computing the same numbers for the
same viewer and weeks; the figure checks both agree. The clocks and the policy
are deleted afterwards.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta

from django.db import connection
from django.test import Client
from django.utils import timezone

from assignment.models import LeadSla, SlaPolicy
from core.models import managed_owner_ids
from dashboards.selectors.sla import DEFAULT_WEEKS, MAX_WEEKS, SlaFilters, get_sla_report

REPEAT = 20
WARMUP = 2

SETUP_SQL = """
INSERT INTO assignment_leadsla (lead_id, policy_id, owner_id, source, assigned_at, due_at, at_risk_at,
                                first_touch_at, touch_minutes)
SELECT id, %(policy)s, owner_id, source, created_at, created_at + interval '2 hours',
       created_at + interval '90 minutes',
       CASE WHEN id %% 5 <> 0 THEN created_at + (id %% 300) * interval '1 minute' END,
       CASE WHEN id %% 5 <> 0 THEN id %% 300 END
FROM leads_lead WHERE owner_id IS NOT NULL
"""

HAND_SQL = """
SELECT owner_id, source, date_trunc('week', assigned_at AT TIME ZONE 'UTC') AS week,
       count(*) AS leads,
       count(*) FILTER (WHERE first_touch_at IS NOT NULL OR due_at <= %(now)s) AS decided,
       count(*) FILTER (WHERE first_touch_at <= due_at) AS within,
       count(*) FILTER (WHERE first_touch_at IS NOT NULL) AS touched,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY touch_minutes) AS median
FROM assignment_leadsla
WHERE assigned_at >= %(start)s AND assigned_at < %(end)s {scope}
GROUP BY GROUPING SETS ((owner_id), (source), (date_trunc('week', assigned_at AT TIME ZONE 'UTC')))
"""


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _median(fn, repeat: int) -> float:
    for _ in range(WARMUP):
        fn()
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - started)
    return _ms(statistics.median(timings))


def _filters(weeks: int) -> SlaFilters:
    today = timezone.now().date()
    monday = today - timedelta(days=today.weekday())
    return SlaFilters(monday - timedelta(weeks=weeks - 1), monday)


def _hand(user, filters: SlaFilters, now) -> list[tuple]:
    start, end = filters.bounds()
    params = {"now": now, "start": start, "end": end}
    scope = ""
    if not user.is_admin:
        scope, params["owners"] = "AND owner_id = ANY(%(owners)s)", managed_owner_ids(user)
    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL.format(scope=scope), params)
        return cursor.fetchall()


def _check(report: dict, hand: list[tuple]) -> int:
    """How many per-rep rows differ between the selector and the hand SQL (must be 0)."""
    by_rep = {row[0]: row for row in hand if row[0] is not None}
    differ = 0
    for row in report["by_rep"]:
        _owner, _source, _week, leads, decided, within, touched, median = by_rep.get(row["owner_id"], (None,) * 8)
        same = (leads, decided, within, touched) == (row["leads"], row["decided"], row["within"], row["touched"])
        if not same or (median is None) != (row["median"] is None) or abs((median or 0) - (row["median"] or 0)) > 1e-6:
            differ += 1
    return differ + abs(len(by_rep) - len(report["by_rep"]))


def run(ctx) -> dict:
    from bench.run import row

    policy = SlaPolicy.objects.create(name="Bench two hours", target_minutes=120)
    try:
        with connection.cursor() as cursor:
            cursor.execute(SETUP_SQL, {"policy": policy.pk})
            clocks = cursor.rowcount
            # The steady state autovacuum keeps: the report reads the clocks from its covering index alone.
            cursor.execute("VACUUM ANALYZE assignment_leadsla")
        return _measure(ctx, row, clocks)
    finally:
        LeadSla.objects.filter(policy=policy).delete()
        policy.delete()


def _measure(ctx, row, clocks: int) -> dict:
    manager, admin = ctx.managers[0], ctx.admin
    now = timezone.now()
    repeat = max(5, min(REPEAT, ctx.scaled(REPEAT * 10)))
    rows, checks = [], {}
    for who, user in (("manager", manager), ("admin", admin)):
        for weeks in (DEFAULT_WEEKS, MAX_WEEKS):
            filters = _filters(weeks)
            baseline = _median(lambda u=user, f=filters: _hand(u, f, now), repeat)
            value = _median(lambda u=user, f=filters: get_sla_report(u, f, now=now), repeat)
            checks[f"{who}, {weeks} weeks"] = _check(get_sla_report(user, filters, now=now), _hand(user, filters, now))
            rows.append(row(f"selector, {who}, {weeks} weeks, median", value, "ms",
                            baseline=baseline, baseline_label="hand SQL (GROUPING SETS)"))  # fmt: skip
    filters = _filters(DEFAULT_WEEKS)
    for who, user in (("manager", manager), ("admin", admin)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        api = Client(HTTP_AUTHORIZATION=f"Token {ctx.tokens[user.username]}", HTTP_HOST="127.0.0.1")
        baseline = _median(lambda u=user: _hand(u, filters, now), repeat)

        def page(client=client) -> None:
            if (response := client.get("/dashboard/sla/")).status_code != 200:
                raise RuntimeError(f"/dashboard/sla/ answered {response.status_code}")

        def endpoint(api=api) -> None:
            if (response := api.get("/api/v1/reports/sla/")).status_code != 200:
                raise RuntimeError(f"/api/v1/reports/sla/ answered {response.status_code}")

        rows.append(row(f"page /dashboard/sla/, {who}, 8 weeks, median", _median(page, repeat), "ms",
                        baseline=baseline, baseline_label="hand SQL (GROUPING SETS)"))  # fmt: skip
        rows.append(row(f"API /api/v1/reports/sla/, {who}, 8 weeks, median", _median(endpoint, repeat), "ms",
                        baseline=baseline, baseline_label="hand SQL (GROUPING SETS)"))  # fmt: skip
    rows.append(row("rep rows differing from the hand SQL (must be 0)", float(sum(checks.values())), "rows"))
    start, end = filters.bounds()
    with connection.cursor() as cursor:
        sql = HAND_SQL.format(scope="AND owner_id = ANY(%(owners)s)")
        params = {"now": now, "start": start, "end": end, "owners": managed_owner_ids(manager)}
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        explain = "\n".join(line for (line,) in cursor.fetchall())
    return {
        "rows": rows,
        "details": {"clocks": clocks, "repeat": repeat, "differing_rows": checks, "explain_hand_sql_manager": explain},
    }
