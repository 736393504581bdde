"""The `activity` figure: the activity report's selector vs one hand-written SQL statement for the same numbers.

First adds the reps' work to the dataset, a function of the row number: 0.5 activities per lead at full scale
(calls with each outcome, emails, meetings, completed tasks), owned by the dataset's reps, logged over the last
180 days, and 0.5 status changes per lead (new → working, by a rep, same spread; the dataset's own history is the
status each lead was created with, which is not work); then rebuilds the leads-worked rollup the services keep
(`rebuild_rollups`, timed: what `manage.py rebuild_rollups` costs at this size). Then, as
the first manager (10 reps) and as the admin (50 reps), over the last 30 days per week: `get_activity_report`
(median of 10) and the page `/dashboard/activity/` through `django.test.Client`, against ONE hand-written
statement computing the same per-rep, per-week counts; the two must agree (`mismatches` in details, must be 0).
Everything it added is deleted afterwards, so the figures after it measure the dataset as built.
"""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from activities.models import Activity
from bench.dataset import insert_series
from dashboards.filters import FunnelFilters, preset_range, selectable_owners
from dashboards.rollups import rebuild_rollups
from dashboards.selectors.activity import COUNTER_KEYS, count_activity, get_activity_report
from leads.models import LeadStatusChange

RUNS = 10
MARK = "bench activity"
OUTCOMES = ["connected", "voicemail", "no_answer", "wrong_number", ""]

HAND_WRITTEN = """
WITH acts AS (
    SELECT owner_id AS rep, date_trunc('week', (CASE WHEN kind = 'task' THEN completed_at ELSE created_at END)
                                               AT TIME ZONE %(tz)s) AS period,
           count(*) FILTER (WHERE kind = 'call') AS calls,
           count(*) FILTER (WHERE kind = 'call' AND call_outcome = 'connected') AS calls_connected,
           count(*) FILTER (WHERE kind = 'call' AND call_outcome = 'voicemail') AS calls_voicemail,
           count(*) FILTER (WHERE kind = 'call' AND call_outcome = 'no_answer') AS calls_no_answer,
           count(*) FILTER (WHERE kind = 'call' AND call_outcome = 'wrong_number') AS calls_wrong_number,
           count(*) FILTER (WHERE kind = 'call' AND call_outcome = '') AS calls_other,
           count(*) FILTER (WHERE kind = 'email') AS emails,
           count(*) FILTER (WHERE kind = 'meeting') AS meetings,
           count(*) FILTER (WHERE kind = 'task') AS tasks_done
      FROM activities_activity
     WHERE {owner} AND kind IN ('call', 'email', 'meeting', 'task')
       AND (CASE WHEN kind = 'task' THEN completed_at ELSE created_at END) >= %(start)s
       AND (CASE WHEN kind = 'task' THEN completed_at ELSE created_at END) < %(end)s
     GROUP BY 1, 2
), worked AS (
    SELECT rep, period, count(*) AS leads_worked FROM (
        SELECT owner_id AS rep, date_trunc('week', created_at AT TIME ZONE %(tz)s) AS period, lead_id
          FROM activities_activity
         WHERE {owner} AND lead_id IS NOT NULL AND created_at >= %(start)s AND created_at < %(end)s
        UNION
        SELECT changed_by_id, date_trunc('week', changed_at AT TIME ZONE %(tz)s), lead_id
          FROM leads_leadstatuschange
         WHERE {changer} AND from_status <> '' AND changed_at >= %(start)s AND changed_at < %(end)s
    ) AS u GROUP BY 1, 2
), conv AS (
    SELECT owner_id AS rep, date_trunc('week', converted_at AT TIME ZONE %(tz)s) AS period, count(*) AS converted
      FROM leads_lead
     WHERE {owner} AND converted_at >= %(start)s AND converted_at < %(end)s
     GROUP BY 1, 2
)
SELECT rep, period::date, calls, calls_connected, calls_voicemail, calls_no_answer, calls_wrong_number, calls_other,
       emails, meetings, tasks_done, leads_worked, converted
  FROM acts FULL JOIN worked USING (rep, period) FULL JOIN conv USING (rep, period)
"""
SQL_COLUMNS = [
    "calls", "calls_connected", "calls_voicemail", "calls_no_answer", "calls_wrong_number", "calls_other",
    "emails", "meetings", "tasks_done", "leads_worked", "converted",
]  # fmt: skip


def q(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def time_it(fn, runs: int) -> float:
    fn()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def add_work(ctx) -> int:
    """Give the dataset's reps activities on their own leads over the last 180 days; return how many."""
    count = max(50, ctx.leads // 2)
    reps = [rep.pk for rep in ctx.reps]
    rep_array = "ARRAY[" + ",".join(map(str, reps)) + "]"
    first = "(SELECT min(id) FROM leads_lead)"
    outcomes = "ARRAY[" + ",".join(f"'{o}'" for o in OUTCOMES) + "]"
    insert_series(Activity, count, {
        "kind": "(ARRAY['call','call','call','email','email','meeting','task'])[1 + g % 7]",
        "subject": f"'{MARK}'",
        "call_outcome": f"CASE WHEN g % 7 < 3 THEN ({outcomes})[1 + (g / 7) % 5] ELSE '' END",
        "created_at": "now() - (g % 180) * interval '1 day' - (g % 600) * interval '1 minute'",
        "updated_at": "now()",
        "completed_at": "CASE WHEN g % 7 = 6 THEN now() - (g % 180) * interval '1 day' END",
        "owner_id": f"({rep_array})[1 + g % {len(reps)}]",
        "lead_id": f"{first} + (g * 7) % {int(ctx.leads)}",
    })  # fmt: skip
    insert_series(LeadStatusChange, count, {
        "lead_id": f"{first} + (g * 3) % {int(ctx.leads)}",
        "from_status": "'new'",
        "to_status": "'working'",
        "changed_by_id": f"({rep_array})[1 + (g / 3) % {len(reps)}]",
        "changed_at": "now() - (g % 180) * interval '1 day' - (g % 500) * interval '1 minute'",
        "reason": f"'{MARK}'",
    })  # fmt: skip
    q("ANALYZE activities_activity")
    q("ANALYZE leads_leadstatuschange")
    return count


def hand_written(user, filters: FunnelFilters) -> dict:
    """The same numbers from one statement; for the admin, "has an owner" rather than a list of every user."""
    reps = list(selectable_owners(user).values_list("pk", flat=True))
    params = {"reps": reps, "start": filters.start, "end": filters.end, "tz": timezone.get_current_timezone_name()}
    if user.is_admin:
        sql = HAND_WRITTEN.format(owner="owner_id IS NOT NULL", changer="changed_by_id IS NOT NULL")
    else:
        sql = HAND_WRITTEN.format(owner="owner_id = ANY(%(reps)s)", changer="changed_by_id = ANY(%(reps)s)")
    return {
        (row[0], row[1]): {key: value or 0 for key, value in zip(SQL_COLUMNS, row[2:], strict=True)}
        for row in q(sql, params)
    }


def run(ctx) -> dict:
    from bench.run import row

    added = add_work(ctx)
    try:
        started = time.perf_counter()
        rollup_rows = rebuild_rollups()
        rebuild_seconds = time.perf_counter() - started
        # The steady state autovacuum keeps (as the dashboard figure): the report reads its indexes alone.
        for table in ("activities_activity", "leads_leadstatuschange", "activities_workedleadday",
                      "activities_workedleadweek"):  # fmt: skip
            q(f"VACUUM ANALYZE {table}")
        after, before = preset_range("last_30")
        filters = FunnelFilters(created_after=after, created_before=before)
        rows = [row("rebuild rollups (manage.py rebuild_rollups)", round(rebuild_seconds, 1), "s")]
        details = {"preset": "last_30", "runs": RUNS, "activities_added": added, "status_changes_added": added,
                   "rollup_rows": rollup_rows, "explain": {}}  # fmt: skip
        for label, user in (("manager", ctx.managers[0]), ("admin", ctx.admin)):
            ours = time_it(lambda user=user: get_activity_report(user, filters), RUNS)
            baseline = time_it(lambda user=user: hand_written(user, filters), RUNS)
            client = Client(HTTP_HOST="127.0.0.1")
            client.force_login(user)
            response = client.get("/dashboard/activity/", {"preset": "last_30"})
            if response.status_code != 200:
                raise RuntimeError(f"/dashboard/activity/ answered {response.status_code} to the {label}")
            page = time_it(lambda client=client: client.get("/dashboard/activity/", {"preset": "last_30"}), RUNS)
            rows.append(row(f"{label}: selector, median", round(ours, 1), "ms", baseline=round(baseline, 1),
                            baseline_label="hand-written SQL, median"))  # fmt: skip
            rows.append(row(f"{label}: page, median", round(page, 1), "ms", baseline=round(baseline, 1),
                            baseline_label="hand-written SQL, median"))  # fmt: skip
            reps = list(selectable_owners(user).values_list("pk", flat=True))
            selector = count_activity(reps, filters, "week")
            expected = hand_written(user, filters)
            details[f"{label}_reps"] = len(reps)
            details[f"{label}_calls"] = sum(values["calls"] for values in selector.values())
            details[f"{label}_leads_worked"] = sum(values["leads_worked"] for values in selector.values())
            details[f"{label}_mismatches"] = sum(
                1
                for key in set(selector) | set(expected)
                if {k: selector.get(key, {}).get(k, 0) for k in COUNTER_KEYS}
                != {k: expected.get(key, {}).get(k, 0) for k in COUNTER_KEYS}
            )
            with CaptureQueriesContext(connection) as captured:
                get_activity_report(user, filters)
            details["explain"][label] = [
                {"sql": query["sql"], "plan": [line for (line,) in q("EXPLAIN (ANALYZE, COSTS OFF) " + query["sql"])]}
                for query in captured.captured_queries
                if query["sql"].lstrip().upper().startswith("SELECT")
            ]
        return {"rows": rows, "details": details}
    finally:
        q("DELETE FROM activities_activity WHERE subject = %s", [MARK])
        q("DELETE FROM leads_leadstatuschange WHERE reason = %s", [MARK])
        rebuild_rollups()
