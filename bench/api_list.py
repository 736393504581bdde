"""Lead list latency through the API at 1,000,000 leads on PostgreSQL.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_api .venv/bin/python bench/api_list.py [--leads 1000000]

Fills the database with generated leads (INSERT … SELECT generate_series, once), then
times requests through django.test.Client with a real API token and prints p50/p99 per
scenario. Timings are for comparing runs on one machine, never asserted.
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
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

SOURCES = ["web", "web_form", "referral", "trade_show", "webinar", "email_campaign", "advertising", "api"]
STATUSES = ["new", "working", "nurturing", "qualified", "unqualified"]


def fill(total: int, owners: list[int]) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM leads_lead")
        have = cursor.fetchone()[0]
        if have >= total:
            print(f"{have} leads present")
            return
        print(f"generating {total - have} leads …", flush=True)
        owner_array = "ARRAY[" + ",".join(str(pk) for pk in owners) + "]::bigint[]"
        source_array = "ARRAY[" + ",".join(f"'{s}'" for s in SOURCES) + "]"
        status_array = "ARRAY[" + ",".join(f"'{s}'" for s in STATUSES) + "]"
        cursor.execute(
            f"""
            INSERT INTO leads_lead (
                first_name, last_name, email, phone, company, title, website, industry, country, city,
                source, status, unqualified_reason, score, rating, do_not_contact, description,
                owner_id, created_at, updated_at
            )
            SELECT 'First' || g, 'Last' || (g %% 5000), 'lead' || g || '@bench' || (g %% 997) || '.example', '',
                   'Company ' || (g %% 20000), '', '', '', 'NO', '',
                   ({source_array})[1 + g %% {len(SOURCES)}], ({status_array})[1 + g %% {len(STATUSES)}], '',
                   g %% 101, CASE WHEN g %% 101 >= 70 THEN 'hot' WHEN g %% 101 >= 40 THEN 'warm' ELSE 'cold' END,
                   false, '',
                   CASE WHEN g %% 10 = 0 THEN NULL ELSE ({owner_array})[1 + g %% {len(owners)}] END,
                   now() - (g || ' seconds')::interval, now() - (g || ' seconds')::interval
            FROM generate_series(%s, %s) AS g
            """,
            [have + 1, total],
        )
        cursor.execute("ANALYZE leads_lead")


def timed(client: Client, url: str, headers: dict, runs: int) -> tuple[float, float, int]:
    samples = []
    rows = 0
    client.get(url, headers=headers)  # warm-up
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content[:200]
        rows = len(response.json()["results"])
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))], rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    if not settings.IS_POSTGRES:
        sys.exit("Set DATABASE_URL to a PostgreSQL database.")
    settings.DEBUG = False
    call_command("migrate", verbosity=0)

    from users.models import Team, User
    from users.services import create_api_token

    manager, _ = User.objects.get_or_create(username="bench-manager", defaults={"role": "manager"})
    team, _ = Team.objects.get_or_create(name="Bench", defaults={"manager": manager})
    reps = []
    for i in range(20):
        rep, _ = User.objects.get_or_create(username=f"bench-rep{i}", defaults={"role": "rep", "team": team})
        reps.append(rep)
    admin, _ = User.objects.get_or_create(username="bench-admin", defaults={"role": "admin"})
    fill(args.leads, [r.pk for r in reps])

    client = Client()
    # The bench times the list, not the token's own rate limit (FUNNEL_TOKEN_RATE would answer 429s).
    unlimited = {"name": "bench", "rate_limit": 10_000_000}
    tokens = {who: create_api_token(user=user, **unlimited)[1] for who, user in [("admin", admin), ("rep", reps[1])]}
    tokens["manager"] = create_api_token(user=manager, **unlimited)[1]
    scenarios = [
        ("admin", "/api/v1/leads/?page_size=50"),
        ("admin", "/api/v1/leads/?page_size=200"),
        ("rep", "/api/v1/leads/?page_size=50"),
        ("rep", "/api/v1/leads/?page_size=200"),
        ("manager", "/api/v1/leads/?page_size=200"),
        ("admin", "/api/v1/leads/?page_size=50&ordering=-score"),
        ("admin", "/api/v1/leads/?page_size=50&status=working&source=webinar"),
    ]
    print(f"{'caller':8} {'request':60} {'p50 ms':>8} {'p99 ms':>8} rows")
    for who, url in scenarios:
        p50, p99, rows = timed(client, url, {"Authorization": f"Token {tokens[who]}"}, args.runs)
        print(f"{who:8} {url:60} {p50:8.1f} {p99:8.1f} {rows}")
    # Depth: the 50th page costs what the first does (keyset, no OFFSET).
    headers = {"Authorization": f"Token {tokens['admin']}"}
    url = "/api/v1/leads/?page_size=200&ordering=-score"
    for _ in range(50):
        url = client.get(url, headers=headers).json()["next"]
    p50, p99, rows = timed(client, url.replace("http://testserver", ""), headers, args.runs)
    print(f"{'admin':8} {'page 51 of ?page_size=200&ordering=-score':60} {p50:8.1f} {p99:8.1f} {rows}")


if __name__ == "__main__":
    main()
