"""Benchmark: assign 100,000 unassigned leads over 50 reps in one bulk pass on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_assignment .venv/bin/python bench/assignment.py

Creates its own team of reps, a rule routing to it and the leads (INSERT … SELECT generate_series),
times `assign_leads_bulk` (rules, row locks, owner UPDATEs, timeline events, cursors, queueing
the owners' digest emails), prints seconds, leads/s and queries, then
removes everything it created. Target: under 10 seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Test settings with an in-memory broker: the digest emails are queued (as in production) but never sent.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.test")
os.environ["CELERY_BROKER_URL"] = "memory://"

import django

django.setup()

from crm.celery import app  # noqa: E402

app.conf.task_always_eager = False

from django.db import connection, models  # noqa: E402
from django.utils import timezone  # noqa: E402

from activities.models import Event  # noqa: E402
from assignment.models import AssignmentRule  # noqa: E402
from assignment.services import assign_leads_bulk  # noqa: E402
from leads.models import Lead  # noqa: E402
from users.models import Team, User  # noqa: E402

PREFIX = "bench-assign"


def _literal(field: models.Field, now) -> tuple[str, list]:
    if field.name == "last_name":
        return "'Bench ' || n", []
    if field.name == "source":
        return "(ARRAY['web','webinar','referral','import'])[1 + mod(n, 4)]", []
    if field.name == "country":
        return "(ARRAY['Germany','France','USA','Japan','Brazil'])[1 + mod(n, 5)]", []
    if field.name == "employees":
        return "mod(n, 5000)", []
    if field.name == "company":
        return f"'{PREFIX} ' || n", []
    if isinstance(field, models.DateTimeField) and not field.null:
        return "%s", [now]
    if field.null:
        return "NULL", []
    default = field.get_default()
    return "%s", [default]


def create_leads(count: int) -> None:
    """Insert `count` unowned leads in one statement, filling every column from the model's defaults."""
    now = timezone.now()
    columns, values, params = [], [], []
    for field in Lead._meta.concrete_fields:
        if field.primary_key:
            continue
        expression, extra = _literal(field, now)
        columns.append(connection.ops.quote_name(field.column))
        values.append(expression)
        params.extend(extra)
    sql = (
        f"INSERT INTO {Lead._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(values)} FROM generate_series(1, %s) AS n"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, count])


def clean_up() -> None:
    leads = Lead.objects.filter(company__startswith=PREFIX)
    Event.objects.filter(lead__in=leads).delete()
    leads.delete()
    AssignmentRule.objects.filter(name__startswith=PREFIX).delete()
    User.objects.filter(username__startswith=PREFIX).delete()
    Team.objects.filter(name__startswith=PREFIX).delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=50)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run this on PostgreSQL: set DATABASE_URL=postgres://… (it uses generate_series).")

    clean_up()
    team = Team.objects.create(name=f"{PREFIX} team")
    User.objects.bulk_create(
        [
            User(username=f"{PREFIX}-{i}", email=f"{PREFIX}-{i}@example.test", role=User.Role.REP, team=team)
            for i in range(args.reps)
        ]
    )
    AssignmentRule.objects.create(name=f"{PREFIX} rule", order=0, target_team=team, method="round_robin")
    create_leads(args.leads)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Lead._meta.db_table}")

    queries = 0
    by_statement: dict[str, float] = {}

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            key = " ".join(sql.split()[:3])[:60]
            by_statement[key] = by_statement.get(key, 0.0) + time.perf_counter() - started

    unassigned = Lead.objects.filter(company__startswith=PREFIX, owner__isnull=True)
    try:
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            if os.environ.get("BENCH_PROFILE"):
                import cProfile

                with cProfile.Profile() as profile:
                    result = assign_leads_bulk(unassigned)
                profile.print_stats("cumulative")
            else:
                result = assign_leads_bulk(unassigned)
            seconds = time.perf_counter() - started
        # Baseline in the same run: one plain UPDATE giving the same rows an owner, the floor any assignment pays.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Lead._meta.db_table} SET owner_id = %s, updated_at = now() WHERE company LIKE %s",
                [next(iter(result.assigned)), f"{PREFIX} %"],
            )
        baseline = time.perf_counter() - started
        per_rep = sorted(len(ids) for ids in result.assigned.values())
        print(
            f"assignment: {result.assigned_count:,} leads over {len(per_rep)} reps in {seconds:.2f} s "
            f"({result.assigned_count / seconds:,.0f} leads/s, {queries} queries; "
            f"per rep {per_rep[0]} to {per_rep[-1]}; target < 10 s)"
        )
        print(
            f"baseline: one plain UPDATE of the same {result.assigned_count:,} rows took {baseline:.2f} s; "
            f"assignment / baseline = {seconds / baseline:.1f}x"
        )
        if os.environ.get("BENCH_VERBOSE"):
            for key, spent in sorted(by_statement.items(), key=lambda item: -item[1]):
                print(f"  {spent:6.2f} s  {key}")
    finally:
        clean_up()


def run(ctx) -> dict:
    """The suite's figure: assign_leads_bulk of 100,000 x scale new unowned leads vs one plain UPDATE of them."""
    from bench.run import row

    count = ctx.scaled(100_000)
    reps = len(ctx.reps)
    clean_up()
    team = Team.objects.create(name=f"{PREFIX} team")
    User.objects.bulk_create(
        [
            User(username=f"{PREFIX}-{i}", email=f"{PREFIX}-{i}@example.test", role=User.Role.REP, team=team)
            for i in range(reps)
        ]
    )
    AssignmentRule.objects.create(name=f"{PREFIX} rule", order=0, target_team=team, method="round_robin")
    create_leads(count)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Lead._meta.db_table}")
    queries = 0

    def counted(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    try:
        unassigned = Lead.objects.filter(company__startswith=PREFIX, owner__isnull=True)
        with connection.execute_wrapper(counted):
            seconds, result = ctx.timed(assign_leads_bulk, unassigned)
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Lead._meta.db_table} SET owner_id = %s, updated_at = now() WHERE company LIKE %s",
                [next(iter(result.assigned)), f"{PREFIX} %"],
            )
        baseline = time.perf_counter() - started
        per_rep = sorted(len(ids) for ids in result.assigned.values())
    finally:
        clean_up()
    return {
        "rows": [
            row(
                f"assign {result.assigned_count:,} leads",
                round(seconds, 3),
                "s",
                baseline=round(baseline, 3),
                baseline_label="plain UPDATE of the same rows",
            ),
            row(
                "leads/s",
                round(result.assigned_count / seconds),
                "leads/s",
                baseline=round(result.assigned_count / baseline),
                baseline_label="plain UPDATE",
                higher_is_better=True,
            ),
            row("queries", queries, "queries"),
        ],
        "details": {
            "leads": count,
            "assigned": result.assigned_count,
            "reps": len(per_rep),
            "per_rep_min": per_rep[0] if per_rep else 0,
            "per_rep_max": per_rep[-1] if per_rep else 0,
            "rule": "one round-robin rule (order 0) to a team of as many reps as the dataset has",
        },
    }


if __name__ == "__main__":
    main()
