"""Bulk lead rescoring against one hand-written UPDATE computing the same scores on the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_scoring .venv/bin/python bench/scoring.py [--leads N]

Builds N leads (default 1,000,000) plus engagement with INSERT … SELECT generate_series in the PostgreSQL
database of DATABASE_URL (it empties that database's leads and timelines first), then times, from the same
starting state (scores reset, table vacuumed): (a) one hand-written UPDATE with the seeded default rules and
engagement weights written out in SQL, and (b) the bulk rescore service (`rescore_leads`, id-range chunks).
Prints both, the ratio (target ≤ 2) and checks that both wrote identical scores and ratings.

Chunk size (measured here on 1,000,000 leads, PostgreSQL 15, 2 shared cores): see CHUNK_SIZE in
scoring/services.py.
"""

import argparse
import os
import sys
import time
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from scoring import rescoring, services  # noqa: E402

SOURCES = "ARRAY['web','web_form','referral','trade_show','webinar','email_campaign','advertising','social','partner','cold_call','import','api','other']"
TITLES = "ARRAY['CEO','VP Sales','Director of IT','Head of Marketing','Product Manager','Analyst','Engineer','Chief Revenue Officer','Founder','']"
FREE_MAIL = ", ".join(f"'{domain}'" for domain in sorted(settings.FUNNEL_FREE_MAIL_DOMAINS))

HAND_WRITTEN = f"""
UPDATE leads_lead l
SET score = s.new_score,
    rating = CASE WHEN s.new_score >= %(hot)s THEN 'hot' WHEN s.new_score >= %(warm)s THEN 'warm' ELSE 'cold' END,
    scored_at = %(now)s
FROM (
  SELECT l2.id, GREATEST(0, LEAST(100,
      CASE WHEN lower(l2.title) IN ('ceo','cto','cfo','coo','cmo','cio','cro','owner','founder','co-founder') THEN 25 ELSE 0 END
    + CASE WHEN lower(l2.title) LIKE '%%chief%%' OR lower(l2.title) LIKE '%%vp%%' OR lower(l2.title) LIKE '%%vice president%%'
             OR lower(l2.title) LIKE '%%head of%%' OR lower(l2.title) LIKE '%%director%%' OR lower(l2.title) LIKE '%%founder%%'
           THEN 20 ELSE 0 END
    + CASE WHEN lower(l2.title) LIKE '%%manager%%' THEN 5 ELSE 0 END
    + CASE WHEN l2.employees >= 200 THEN 10 ELSE 0 END
    + CASE WHEN l2.employees >= 1000 THEN 10 ELSE 0 END
    + CASE WHEN l2.employees <= 10 THEN -5 ELSE 0 END
    + CASE WHEN l2.annual_revenue >= 10000000 THEN 10 ELSE 0 END
    + CASE WHEN l2.source = 'referral' THEN 20 ELSE 0 END
    + CASE WHEN l2.source = 'webinar' THEN 10 ELSE 0 END
    + CASE WHEN l2.source IN ('partner', 'trade_show') THEN 10 ELSE 0 END
    + CASE WHEN l2.source = 'web_form' THEN 5 ELSE 0 END
    + CASE WHEN split_part(l2.email, '@', 2) IN ({FREE_MAIL}) THEN -15 ELSE 0 END
    + CASE WHEN l2.phone = '' THEN -10 ELSE 0 END
    + CASE WHEN l2.company = '' THEN -10 ELSE 0 END
    + COALESCE(e.points, 0))) AS new_score
  FROM leads_lead l2
  LEFT JOIN (
    SELECT x.lead_id, FLOOR((SUM(x.milli) + 500) / 1000.0)::int AS points
    FROM (
      SELECT lead_id, FLOOR(CASE kind WHEN 'nurture_opened' THEN 2 WHEN 'nurture_clicked' THEN 5
                                      WHEN 'form_submitted' THEN 15 WHEN 'reply' THEN 15 END
             * 1000.0 * POWER(0.5, LEAST(GREATEST(EXTRACT(EPOCH FROM (%(now)s - created_at))::float8, 0) / %(hl)s, 60))
             + 0.5)::bigint AS milli
      FROM activities_event WHERE kind IN ('nurture_opened', 'nurture_clicked', 'form_submitted', 'reply')
      UNION ALL
      SELECT lead_id, FLOOR(CASE kind WHEN 'meeting' THEN 25 WHEN 'call' THEN 10 END
             * 1000.0 * POWER(0.5, LEAST(GREATEST(EXTRACT(EPOCH FROM (%(now)s - created_at))::float8, 0) / %(hl)s, 60))
             + 0.5)::bigint
      FROM activities_activity WHERE kind IN ('meeting', 'call') AND lead_id IS NOT NULL
    ) x GROUP BY x.lead_id
  ) e ON e.lead_id = l2.id
  WHERE l2.status <> 'converted'
  OFFSET 0  -- new_score is read three times: computed once (see scoring.sql.evaluate_once)
) s
WHERE l.id = s.id
"""


def execute(sql: str, params=None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def build(leads: int) -> None:
    execute(
        "TRUNCATE activities_event, activities_activity, leads_leadstatuschange, leads_lead, leads_scoringrun CASCADE"
    )
    execute(
        f"""
        INSERT INTO leads_lead (first_name, last_name, email, phone, company, title, website, industry, employees,
            annual_revenue, country, city, source, status, unqualified_reason, score, rating, do_not_contact,
            description, created_at, updated_at)
        SELECT 'Pat', 'Lead ' || g,
            CASE g %% 5 WHEN 0 THEN 'p' || g || '@gmail.com' WHEN 1 THEN 'p' || g || '@yahoo.com'
                 ELSE 'p' || g || '@company' || (g %% 50000) || '.example' END,
            CASE WHEN g %% 3 = 0 THEN '' ELSE '+1 555 ' || g END,
            CASE WHEN g %% 11 = 0 THEN '' ELSE 'Company ' || (g %% 50000) END,
            ({TITLES})[1 + g %% 10], '', 'Software',
            CASE WHEN g %% 7 = 0 THEN NULL ELSE (g * 37) %% 5000 END,
            CASE WHEN g %% 4 = 0 THEN NULL ELSE ((g::bigint * 7919) %% 50000000)::numeric END,
            'US', '', ({SOURCES})[1 + g %% 13], 'new', '', 0, 'cold', false, '',
            now() - (g %% 365) * interval '1 day', now()
        FROM generate_series(1, %s) g
        """,
        [leads],
    )
    execute(
        """
        INSERT INTO activities_event (kind, summary, data, created_at, lead_id)
        SELECT (ARRAY['nurture_opened','nurture_clicked','form_submitted','reply'])[1 + g %% 4], 'engagement', '{}',
               now() - (g %% 200) * interval '1 day' - (g %% 86400) * interval '1 second',
               (SELECT min(id) FROM leads_lead) + (g * 3) %% %s
        FROM generate_series(1, %s) g
        """,
        [leads, leads * 3 // 10],
    )
    execute(
        """
        INSERT INTO activities_activity (kind, subject, body, created_at, updated_at, lead_id)
        SELECT (ARRAY['meeting','call'])[1 + g %% 2], 'engagement', '',
               now() - (g %% 120) * interval '1 day', now(), (SELECT min(id) FROM leads_lead) + (g * 7) %% %s
        FROM generate_series(1, %s) g
        """,
        [leads, leads // 10],
    )
    execute("ANALYZE")


def reset() -> None:
    execute("UPDATE leads_lead SET score = 0, rating = 'cold', scored_at = NULL, mql_at = NULL")
    execute("DELETE FROM activities_event WHERE kind = 'mql'")
    execute("TRUNCATE leads_scoringrun")
    execute("VACUUM ANALYZE leads_lead")
    execute("VACUUM ANALYZE activities_event")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--chunk-sizes", default=str(services.CHUNK_SIZE), help="comma-separated")
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("Run against PostgreSQL: set DATABASE_URL=postgres://…/funnel_<yours>.")
    call_command("migrate", verbosity=0)
    if not args.skip_build:
        started = time.perf_counter()
        build(args.leads)
        print(f"built {args.leads:,} leads with engagement in {time.perf_counter() - started:.1f}s")
    now = timezone.now()
    params = {
        "now": now,
        "hl": settings.FUNNEL_ENGAGEMENT_HALF_LIFE.total_seconds(),
        "hot": settings.FUNNEL_RATING_HOT,
        "warm": settings.FUNNEL_RATING_WARM,
    }

    reset()
    started = time.perf_counter()
    execute(HAND_WRITTEN, params)
    baseline = time.perf_counter() - started
    execute("DROP TABLE IF EXISTS bench_expected")
    execute("CREATE UNLOGGED TABLE bench_expected AS SELECT id, score, rating FROM leads_lead")
    print(f"(a) hand-written UPDATE:        {baseline:7.2f}s")

    for chunk_size in [int(size) for size in args.chunk_sizes.split(",")]:
        reset()
        with mock.patch("django.utils.timezone.now", return_value=now):
            started = time.perf_counter()
            run = services.rescore_leads(chunk_size=chunk_size, reason="bench")
            elapsed = time.perf_counter() - started
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM leads_lead l JOIN bench_expected x ON x.id = l.id "
                "WHERE l.score <> x.score OR l.rating <> x.rating"
            )
            mismatches = cursor.fetchone()[0]
        print(
            f"(b) rescore_leads chunk {chunk_size:>7,}: {elapsed:7.2f}s  ratio {elapsed / baseline:.2f}  "
            f"changed {run.leads_changed:,}  became MQL {run.leads_reached_mql:,}  mismatches {mismatches}"
        )
        started = time.perf_counter()
        with mock.patch("django.utils.timezone.now", return_value=now):
            again = services.rescore_leads(chunk_size=chunk_size, reason="bench rerun")
        print(f"    rerun, nothing to change:  {time.perf_counter() - started:7.2f}s  changed {again.leads_changed}")
    execute("DROP TABLE IF EXISTS bench_expected")


if __name__ == "__main__":
    main()


def add_engagement(leads: int) -> None:
    """Give the suite's leads engagement (0.3 events and 0.1 meetings/calls per lead), a function of the row number."""
    from activities.models import Activity, Event
    from bench.dataset import insert_series

    first = "(SELECT min(id) FROM leads_lead)"
    insert_series(Event, leads * 3 // 10, {
        "kind": "(ARRAY['nurture_opened','nurture_clicked','form_submitted','reply'])[1 + g % 4]",
        "summary": "'engagement'",
        "created_at": "now() - (g % 200) * interval '1 day' - (g % 86400) * interval '1 second'",
        "lead_id": f"{first} + (g * 3) % {int(leads)}",
    })  # fmt: skip
    insert_series(Activity, max(1, leads // 10), {
        "kind": "(ARRAY['meeting','call'])[1 + g % 2]",
        "subject": "'engagement'",
        "created_at": "now() - (g % 120) * interval '1 day'",
        "updated_at": "now()",
        "lead_id": f"{first} + (g * 7) % {int(leads)}",
    })  # fmt: skip
    execute("ANALYZE activities_event")
    execute("ANALYZE activities_activity")


def change_one_percent() -> int:
    """Change the scoring inputs of 1% of the leads, a function of the row number, as the services write them: half
    get a new title (the row's `updated_at` stamped), half a web-form submission on their timeline. Returns how many.
    """
    execute(
        "UPDATE leads_lead SET title = CASE WHEN title = 'CEO' THEN 'Analyst' ELSE 'CEO' END, updated_at = now() "
        "WHERE id % 200 = 0"
    )
    execute(
        "INSERT INTO activities_event (kind, summary, data, created_at, lead_id) "
        "SELECT 'form_submitted', 'Web form submitted again', '{}', now(), id FROM leads_lead WHERE id % 200 = 100"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM leads_lead WHERE id % 100 = 0")
        return cursor.fetchone()[0]


def run(ctx) -> dict:
    """The suite's figure: rescore_leads over the dataset vs the hand-written UPDATE, same start, same clock."""
    from bench.run import row

    add_engagement(ctx.leads)
    now = timezone.now()
    params = {
        "now": now,
        "hl": settings.FUNNEL_ENGAGEMENT_HALF_LIFE.total_seconds(),
        "hot": settings.FUNNEL_RATING_HOT,
        "warm": settings.FUNNEL_RATING_WARM,
    }
    reset()
    baseline, _ = ctx.timed(execute, HAND_WRITTEN, params)
    execute("DROP TABLE IF EXISTS bench_expected")
    execute("CREATE UNLOGGED TABLE bench_expected AS SELECT id, score, rating FROM leads_lead")
    reset()
    with mock.patch("django.utils.timezone.now", return_value=now):
        seconds, scoring_run = ctx.timed(services.rescore_leads, reason="bench")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM leads_lead l JOIN bench_expected x ON x.id = l.id "
            "WHERE l.score <> x.score OR l.rating <> x.rating"
        )
        mismatches = cursor.fetchone()[0]
    changed = change_one_percent()
    # The same clock as the full rescore: a full rescore after the changes must then find nothing to change.
    with mock.patch("django.utils.timezone.now", return_value=now):
        changes_seconds, changes_run = ctx.timed(rescoring.rescore_changed_leads, reason="bench changes")
        rerun_seconds, rerun = ctx.timed(services.rescore_leads, reason="bench rerun")
    # The floor of writing those leads' scores: one plain UPDATE of the same rows' score (run twice: 100 - (100 - s)
    # puts every score back), non-HOT like the rescore's since the score is indexed.
    flip = "UPDATE leads_lead SET score = 100 - score WHERE id % 100 = 0"
    floor_seconds, _ = ctx.timed(execute, flip)
    execute(flip)
    execute("DROP TABLE bench_expected")
    # Every lead row was rewritten four times above: compact the table and its indexes so the figures after this one
    # (dashboard, import) measure the dataset, not this figure's dead tuples.
    execute("VACUUM FULL ANALYZE leads_lead")
    return {
        "rows": [
            row(
                f"rescore {ctx.leads:,} leads",
                round(seconds, 3),
                "s",
                baseline=round(baseline, 3),
                baseline_label="one hand-written UPDATE",
            ),
            row(
                "rescore again, nothing to change",
                round(rerun_seconds, 3),
                "s",
                baseline=round(baseline, 3),
                baseline_label="one hand-written UPDATE",
            ),
            row("scores differing from the hand-written UPDATE", mismatches, "leads"),
            row(
                f"rescore after 1% of leads changed ({changed:,})",
                round(changes_seconds, 3),
                "s",
                baseline=round(seconds, 3),
                baseline_label="full rescore (rescore_leads), same run",
            ),
            row(
                "rescore after 1% of leads changed, vs writing their scores",
                round(changes_seconds, 3),
                "s",
                baseline=round(floor_seconds, 3),
                baseline_label="one plain UPDATE of the same leads' score",
            ),
            row("leads a full rescore then still changed", rerun.leads_changed, "leads"),
        ],
        "details": {
            "leads": ctx.leads,
            "chunk_size": settings.FUNNEL_RESCORE_CHUNK_SIZE or services.CHUNK_SIZE,
            "leads_changed": scoring_run.leads_changed,
            "leads_reached_mql": scoring_run.leads_reached_mql,
            "changes": {
                "leads_changed": changed,
                "leads_rescored_changed": changes_run.leads_changed,
                "full_rescore_after_changes_changed": rerun.leads_changed,
                "what": "0.5% of leads: title edited (updated_at stamped); 0.5%: a web form submitted (engagement)",
            },
            "engagement": {"events": ctx.leads * 3 // 10, "activities": max(1, ctx.leads // 10)},
        },
    }
