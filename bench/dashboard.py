"""Benchmark the managers' dashboard at 1,000,000 leads and 100,000 opportunities on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_bench .venv/bin/python bench/dashboard.py [--regenerate]

Generates the data set once with INSERT … SELECT generate_series (50 reps in 5 teams, a year of leads, realistic
milestone and stage spreads), then in the same run: times the dashboard's selector queries against ONE hand-written
SQL statement computing the same numbers (medians of --runs runs each), prints the ratio and the EXPLAIN (ANALYZE)
plans, and the page's median server time through django.test.Client as a manager and as an admin.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from dashboards import selectors  # noqa: E402
from dashboards.filters import FunnelFilters, preset_range  # noqa: E402
from leads.models import Lead  # noqa: E402
from users.models import Team, User  # noqa: E402

LEADS = 1_000_000
OPPORTUNITIES = 100_000
LINKED_OPPORTUNITIES = 60_000  # the first converted leads carry these deals
SOURCES = [
    "web", "web_form", "webinar", "referral", "email_campaign", "advertising", "social",
    "trade_show", "partner", "cold_call", "import", "api", "other",
]  # fmt: skip


def q(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def defaults_for(table: str, given: set[str]) -> tuple[str, str]:
    """Column list and values for the NOT NULL columns a generated row does not set (no DB defaults in Django)."""
    rows = q(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'",
        [table],
    )
    names, values = [], []
    for name, kind in rows:
        if name in given:
            continue
        names.append(name)
        if kind in {"character varying", "text"}:
            values.append("''")
        elif kind == "boolean":
            values.append("false")
        elif kind == "jsonb":
            values.append("'{}'::jsonb")
        elif "timestamp" in kind:
            values.append("now()")
        else:
            values.append("0")
    return "".join(f", {n}" for n in names), "".join(f", {v}" for v in values)


def generate() -> None:
    print("generating data …", flush=True)
    started = time.perf_counter()
    q(
        "TRUNCATE leads_leadstatuschange, leads_lead, opportunities_opportunity, accounts_account RESTART IDENTITY CASCADE"
    )
    User.objects.filter(username__startswith="bench_").update(team=None)
    Team.objects.filter(name__startswith="Bench ").delete()
    User.objects.filter(username__startswith="bench_").delete()
    User.objects.create_user("bench_admin", password="bench-pass-1", role="admin", name="Bench Admin")
    for t in range(5):
        manager = User.objects.create_user(f"bench_manager{t}", password="bench-pass-1", role="manager")
        team = Team.objects.create(name=f"Bench {t}", manager=manager)
        for r in range(10):
            User.objects.create_user(
                f"bench_rep{t}_{r}", password="bench-pass-1", role="rep", team=team, name=f"Rep {t}.{r}"
            )
    reps = list(User.objects.filter(username__startswith="bench_rep").order_by("pk").values_list("pk", flat=True))
    rep_array = "(ARRAY[" + ",".join(map(str, reps)) + "]::bigint[])"
    source_array = "(ARRAY[" + ",".join(f"'{s}'" for s in SOURCES) + "])"
    stages = dict(q("SELECT name, id FROM opportunities_stage"))
    q("SELECT setseed(0.42)")

    cols, vals = defaults_for("accounts_account", {"id", "name", "created_at", "updated_at"})
    q(
        f"INSERT INTO accounts_account (name, created_at, updated_at{cols}) "
        f"SELECT 'Account ' || i, now(), now(){vals} FROM generate_series(1, 20000) AS i"
    )

    # Stages: 55% open (spread over the 5 open stages), 20% won, 25% lost.
    stage_case = (
        f"CASE WHEN r < 0.11 THEN {stages['Prospecting']} WHEN r < 0.22 THEN {stages['Qualification']} "
        f"WHEN r < 0.33 THEN {stages['Needs Analysis']} WHEN r < 0.44 THEN {stages['Proposal']} "
        f"WHEN r < 0.55 THEN {stages['Negotiation']} WHEN r < 0.75 THEN {stages['Closed Won']} "
        f"ELSE {stages['Closed Lost']} END"
    )
    given = {
        "id", "name", "account_id", "amount", "close_date", "stage_id", "probability", "owner_id", "lead_source",
        "lost_reason", "closed_at", "created_at", "updated_at", "forecast_category",
    }  # fmt: skip
    cols, vals = defaults_for("opportunities_opportunity", given)
    q(
        f"""
        INSERT INTO opportunities_opportunity (name, account_id, amount, close_date, stage_id, probability, owner_id,
            lead_source, lost_reason, closed_at, created_at, updated_at, forecast_category{cols})
        SELECT 'Deal ' || i, 1 + (i % 20000), round((1000 + power(r2, 2) * 199000)::numeric, 2),
            (created + interval '1 day' * (30 + r3 * 120))::date, stage_id, s.probability,
            {rep_array}[1 + floor(r3 * 50)::int], {source_array}[1 + floor(power(r2, 1.5) * 13)::int],
            CASE WHEN stage_id = {stages["Closed Lost"]}
                 THEN (ARRAY['Price','Timing','Competitor','No budget','No decision'])[1 + floor(r2 * 5)::int]
                 ELSE '' END,
            CASE WHEN s.is_closed THEN created + interval '1 day' * (r3 * 90) END,
            created, created, s.forecast_category{vals}
        FROM (
            SELECT i, r, r2, r3, {stage_case} AS stage_id, now() - interval '1 day' * (r2 * 365) AS created
            FROM (SELECT i, random() AS r, random() AS r2, random() AS r3
                  FROM generate_series(1, {OPPORTUNITIES}) AS i) AS x
        ) AS g JOIN opportunities_stage s ON s.id = g.stage_id
        """
    )
    # Leads: 42% MQL, 17% SQL, 8.5% converted (nested), 8% unassigned, sources skewed to the first ones.
    given = {
        "first_name", "last_name", "email", "source", "status", "score", "rating", "owner_id", "created_at",
        "updated_at", "mql_at", "qualified_at", "converted_at", "converted_account_id", "converted_opportunity_id",
        "last_activity_at",
    }  # fmt: skip
    cols, vals = defaults_for("leads_lead", given)
    q(
        f"""
        INSERT INTO leads_lead (first_name, last_name, email, source, status, score, rating, owner_id, created_at,
            updated_at, mql_at, qualified_at, converted_at, converted_account_id, converted_opportunity_id,
            last_activity_at{cols})
        SELECT 'First' || i, 'Last' || i, 'lead' || i || '@example' || (i % 5000) || '.test',
            {source_array}[1 + floor(power(r2, 1.6) * 13)::int],
            CASE WHEN r < 0.085 THEN 'converted' WHEN r < 0.17 THEN 'qualified'
                 WHEN r2 < 0.25 THEN 'new' WHEN r2 < 0.55 THEN 'working' WHEN r2 < 0.8 THEN 'nurturing'
                 ELSE 'unqualified' END,
            CASE WHEN r < 0.42 THEN 50 + floor(r3 * 50) ELSE floor(r3 * 50) END,
            CASE WHEN r < 0.42 THEN 'warm' ELSE 'cold' END,
            CASE WHEN r4 < 0.08 THEN NULL ELSE {rep_array}[1 + floor((r4 - 0.08) / 0.92 * 50)::int] END,
            created, created,
            CASE WHEN r < 0.42 THEN LEAST(mql, now()) END,
            CASE WHEN r < 0.17 THEN LEAST(mql + interval '1 day' * (r3 * 14), now()) END,
            CASE WHEN r < 0.085 THEN LEAST(mql + interval '1 day' * (r3 * 14 + r2 * 20), now()) END,
            CASE WHEN r < 0.085 THEN 1 + (i % 20000) END,
            CASE WHEN r < 0.085 AND conv_rank <= {LINKED_OPPORTUNITIES} THEN conv_rank END,
            CASE WHEN r3 < 0.8 THEN created + (now() - created) * r2 END{vals}
        FROM (
            SELECT *, created + interval '1 day' * (r2 * 10) AS mql,
                   sum(CASE WHEN r < 0.085 THEN 1 ELSE 0 END) OVER (ORDER BY i) AS conv_rank
            FROM (SELECT i, random() AS r, random() AS r2, random() AS r3, random() AS r4,
                         now() - interval '1 day' * (random() * 365) AS created
                  FROM generate_series(1, {LEADS}) AS i) AS x
        ) AS g
        """
    )
    q(
        """
        INSERT INTO leads_leadstatuschange (lead_id, from_status, to_status, changed_at, reason)
        SELECT id, '', 'new', created_at, '' FROM leads_lead
        UNION ALL
        SELECT id, 'new', 'working', created_at + interval '1 hour' * (1 + (id % 72)), ''
        FROM leads_lead WHERE status <> 'new'
        UNION ALL
        SELECT id, 'working', status,
               COALESCE(converted_at, qualified_at, created_at + interval '1 hour' * (80 + (id % 400))), ''
        FROM leads_lead WHERE status NOT IN ('new', 'working')
        """
    )
    q("VACUUM ANALYZE")
    print(f"generated in {time.perf_counter() - started:.0f} s", flush=True)


def hand_written_sql(viewer_condition: str) -> str:
    """ONE statement computing every number the dashboard shows, written by hand as the baseline."""
    return f"""
    WITH cohort AS MATERIALIZED (
        SELECT l.id, l.source, l.owner_id, l.created_at, l.mql_at, l.qualified_at, l.converted_at,
               s.is_won AS won, o.amount AS won_amount
        FROM leads_lead l
        LEFT JOIN opportunities_opportunity o ON o.id = l.converted_opportunity_id
        LEFT JOIN opportunities_stage s ON s.id = o.stage_id
        WHERE l.created_at >= %(start)s AND l.created_at < %(end)s AND ({viewer_condition.format(t="l")})
    ),
    groups AS (
        SELECT source, owner_id, count(*) AS leads, count(mql_at) AS mqls, count(qualified_at) AS sqls,
               count(converted_at) AS converted, count(*) FILTER (WHERE won) AS won,
               sum(won_amount) FILTER (WHERE won) AS won_amount,
               count(*) FILTER (WHERE mql_at IS NOT NULL) AS n1, sum(mql_at - created_at) AS d1,
               count(*) FILTER (WHERE qualified_at IS NOT NULL AND mql_at IS NOT NULL) AS n2,
               sum(qualified_at - mql_at) AS d2,
               count(*) FILTER (WHERE converted_at IS NOT NULL AND qualified_at IS NOT NULL) AS n3,
               sum(converted_at - qualified_at) AS d3, sum(converted_at - created_at) AS d4
        FROM cohort GROUP BY source, owner_id
    ),
    medians AS (
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY mql_at - created_at) AS m1,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY qualified_at - mql_at) AS m2,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY converted_at - qualified_at) AS m3,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY converted_at - created_at) AS m4
        FROM cohort
    ),
    stays AS (
        SELECT c.to_status, lead(c.changed_at) OVER (PARTITION BY c.lead_id ORDER BY c.changed_at, c.id)
               - c.changed_at AS spent
        FROM leads_leadstatuschange c WHERE c.lead_id IN (SELECT id FROM cohort)
    ),
    in_status AS (
        SELECT to_status, count(*), avg(extract(epoch FROM spent)),
               percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM spent))
        FROM stays WHERE spent IS NOT NULL GROUP BY to_status
    ),
    created_weeks AS (SELECT date_trunc('week', created_at) AS week, count(*) FROM cohort GROUP BY 1),
    converted_weeks AS (
        SELECT date_trunc('week', l.converted_at) AS week, count(*) FROM leads_lead l
        WHERE l.converted_at >= %(start)s AND l.converted_at < %(end)s AND ({viewer_condition.format(t="l")})
        GROUP BY 1
    ),
    pipeline AS (
        SELECT o.stage_id, date_trunc('month', o.close_date) AS month, count(*), sum(o.amount),
               sum(o.amount * o.probability) / 100
        FROM opportunities_opportunity o JOIN opportunities_stage s ON s.id = o.stage_id
        WHERE NOT s.is_closed AND ({viewer_condition.format(t="o")}) GROUP BY 1, 2
    ),
    closed AS (
        SELECT s.is_won, o.lost_reason, count(*), sum(o.amount)
        FROM opportunities_opportunity o JOIN opportunities_stage s ON s.id = o.stage_id
        WHERE s.is_closed AND o.closed_at >= %(start)s AND o.closed_at < %(end)s
              AND ({viewer_condition.format(t="o")})
        GROUP BY 1, 2
    ),
    unattended AS (
        SELECT l.owner_id, count(*), min(COALESCE(l.last_activity_at, l.created_at))
        FROM leads_lead l
        WHERE l.status NOT IN ('converted', 'unqualified')
              AND COALESCE(l.last_activity_at, l.created_at) < %(cutoff)s AND ({viewer_condition.format(t="l")})
        GROUP BY 1
    )
    SELECT (SELECT json_agg(groups) FROM groups), (SELECT row_to_json(medians) FROM medians),
           (SELECT json_agg(in_status) FROM in_status), (SELECT json_agg(created_weeks) FROM created_weeks),
           (SELECT json_agg(converted_weeks) FROM converted_weeks), (SELECT json_agg(pipeline) FROM pipeline),
           (SELECT json_agg(closed) FROM closed), (SELECT json_agg(unattended) FROM unattended)
    """


def viewer_condition(user: User) -> str:
    if user.is_admin:
        return "TRUE"
    members = [*User.objects.filter(team__manager=user).values_list("pk", flat=True), user.pk]
    return "{t}.owner_id IN (" + ",".join(map(str, members)) + ") OR {t}.owner_id IS NULL"


def time_it(fn, runs: int) -> float:
    fn()  # warm caches and connections
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples) * 1000


def run(ctx) -> dict:
    """The suite's figure: dashboard selectors vs one hand-written statement, and the page, as a manager and an admin."""
    from bench.run import row

    runs = 10
    # Measure the steady state autovacuum keeps (visibility map set, statistics fresh), not the churn the figures
    # before this one left behind (the scoring figure ends with VACUUM FULL, which clears the visibility map), and
    # leave autovacuum nothing to do on the two cores while the figure is timed; the checkpoint writes out what the
    # figures before left dirty, so the checkpointer does not flush gigabytes in the background of these timings.
    q("VACUUM ANALYZE")
    q("CHECKPOINT")
    after, before = preset_range("last_30")
    filters = FunnelFilters(created_after=after, created_before=before)
    rows, details = [], {"preset": "last_30", "runs": runs, "explain": {}}
    for label, user in (("manager", ctx.managers[0]), ("admin", ctx.admin)):
        params = {"start": filters.start, "end": filters.end, "cutoff": timezone.now() - timezone.timedelta(days=14)}
        sql = hand_written_sql(viewer_condition(user))
        ours = time_it(lambda user=user: selectors.get_dashboard(user, filters), runs)
        baseline = time_it(lambda sql=sql, params=params: q(sql, params), runs)
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        response = client.get("/dashboard/", {"preset": "last_30"})
        if response.status_code != 200:
            raise RuntimeError(f"/dashboard/ answered {response.status_code} to the {label}")
        page = time_it(lambda client=client: client.get("/dashboard/", {"preset": "last_30"}), runs)
        rows.append(row(f"{label}: selector queries, median", round(ours, 1), "ms", baseline=round(baseline, 1),
                        baseline_label="hand-written SQL, median"))  # fmt: skip
        rows.append(row(f"{label}: page, median", round(page, 1), "ms", baseline=round(baseline, 1),
                        baseline_label="hand-written SQL, median"))  # fmt: skip
        details[f"{label}_cohort_leads"] = selectors.get_cohort(user, filters).count()
        with CaptureQueriesContext(connection) as captured:
            selectors.get_dashboard(user, filters)
        details["explain"][label] = [
            {
                "sql": query["sql"],
                "plan": [line for (line,) in q("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + query["sql"])],
            }
            for query in captured.captured_queries
            if query["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        ]
    return {"rows": rows, "details": details}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--preset", default="last_30")
    parser.add_argument("--no-plans", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a PostgreSQL database of your own.")
    call_command("migrate", verbosity=0)
    if args.regenerate or Lead.objects.count() < LEADS:
        generate()
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["*"]
    after, before = preset_range(args.preset)
    filters = FunnelFilters(created_after=after, created_before=before)
    print(f"{Lead.objects.count():,} leads, preset {args.preset} ({after} … {before}), median of {args.runs} runs")
    for username in ("bench_manager0", "bench_admin"):
        user = User.objects.get(username=username)
        params = {"start": filters.start, "end": filters.end, "cutoff": timezone.now() - timezone.timedelta(days=14)}
        sql = hand_written_sql(viewer_condition(user))
        ours = time_it(lambda user=user: selectors.get_dashboard(user, filters), args.runs)
        baseline = time_it(lambda sql=sql, params=params: q(sql, params), args.runs)
        client = Client()
        client.force_login(user)
        page = time_it(lambda client=client: client.get("/dashboard/", {"preset": args.preset}), args.runs)
        cohort = selectors.get_cohort(user, filters).count()
        print(
            f"\n{user.role:8} cohort {cohort:,} leads | dashboard queries {ours:7.1f} ms | hand-written SQL "
            f"{baseline:7.1f} ms | ratio {ours / baseline:4.2f} (target <= 1.5) | page {page:7.1f} ms (target < 150)"
        )
        if not args.no_plans:
            with CaptureQueriesContext(connection) as captured:
                selectors.get_dashboard(user, filters)
            for query in captured.captured_queries:
                print("\n--", query["sql"][:160], "…")
                for (line,) in q("EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + query["sql"]):
                    print("   ", line)


if __name__ == "__main__":
    main()
