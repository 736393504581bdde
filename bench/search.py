"""The `search` figure: global search (search.selectors) and `GET /api/v1/search/`, median per fragment.

Fragments are taken from the middle of the dataset's values (`First<g>`, `Company <g % 50000>`, `lead<g>@…`,
`Account <n>`), so each finds a handful of records at any scale; one more, `555` (in every lead's phone), shows the
cost of a fragment that matches everything (search ranks at most `CANDIDATES` per type). Baselines in the same run:
the selector against one exact-email lookup of the visible leads (the index on email), the endpoint against the lead
detail endpoint (a primary-key lookup through the same middleware, authentication and DRF stack).
"""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test import Client

from leads.models import Lead
from search.selectors import search_records, search_target
from search.targets import LEADS

REPEAT = 40
WARMUP = 3


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


def run(ctx) -> dict:
    from bench.run import row

    manager = ctx.managers[0]
    token = ctx.tokens[manager.username]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    visible = Lead.objects.visible_to(manager)
    sample = visible.order_by("pk")[visible.count() // 3]
    g = int(sample.first_name.removeprefix("First"))
    accounts = ctx.counts["accounts"]
    fragments = {
        "middle of a name": f"st{g}",
        "middle of a company": f"pany {g % 50000}",
        "middle of an email": f"ead{g}@",
        "middle of an account name": f"ccount {max(1, accounts // 2)}",
    }
    wide = "555"
    repeat = max(10, min(REPEAT, ctx.scaled(REPEAT * 10)))

    def lookup() -> list:
        return list(visible.filter(email=sample.email)[:20])

    def detail() -> None:
        response = client.get(f"/api/v1/leads/{sample.pk}/")
        if response.status_code != 200:
            raise RuntimeError(f"lead detail answered {response.status_code}")

    def endpoint(q: str):
        def call() -> None:
            response = client.get("/api/v1/search/", {"q": q})
            if response.status_code != 200 or not response.json()["results"]:
                raise RuntimeError(f"search {q!r} answered {response.status_code} {response.content[:200]!r}")

        return call

    baseline = _median(lookup, repeat)
    detail_baseline = _median(detail, repeat)
    rows = [
        row("exact-email lookup (selector baseline), median", baseline, "ms"),
        row("lead detail API (endpoint baseline), median", detail_baseline, "ms"),
    ]
    found = {}
    for label, q in [*fragments.items(), (f"every lead ({wide!r})", wide)]:
        found[q] = len(search_records(manager, q))
        rows.append(row(f"selector, {label}, median", _median(lambda q=q: search_records(manager, q), repeat), "ms",
                        baseline=baseline, baseline_label="exact-email lookup"))  # fmt: skip
        rows.append(row(f"API, {label}, median", _median(endpoint(q), repeat), "ms",
                        baseline=detail_baseline, baseline_label="lead detail API"))  # fmt: skip
    with connection.cursor() as cursor:
        sql, params = search_target(LEADS, manager, fragments["middle of a company"], limit=20).query.sql_with_params()
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        explain = "\n".join(line for (line,) in cursor.fetchall())
    return {
        "rows": rows,
        "details": {
            "user": "a manager (10 reps' leads + unassigned)",
            "fragments": fragments | {"wide": wide},
            "results_per_fragment": found,
            "repeat": repeat,
            "explain_leads_company_fragment": explain,
        },
    }
