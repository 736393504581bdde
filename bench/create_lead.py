"""Create leads one by one through POST /api/v1/leads/ and count the queries of one.

The same payload is posted, with the same token, to two baselines in the same run: the authenticated no-op
(`/bench/noop/`, a GET: what the stack costs) and `/bench/plain-insert/` (one plain INSERT of the lead, nothing
else). The creator is the first manager, so the leads stay unassigned and go to assignment after commit: scoring,
assignment and nurture are enqueued (on the in-memory broker) but not run. Every lead the figure made is deleted
at the end.
"""

from __future__ import annotations

import statistics
import time
import uuid

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from crm.celery import app
from leads.models import Lead

REQUESTS = 200
WARM_UP = 5


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def _payload(run: str, n: int) -> dict:
    return {
        "first_name": "Ada",
        "last_name": f"Bench {n}",
        "email": f"lead{n}@create-{run}.bench.example",
        "company": f"Create {run} {n}",
        "title": "CTO",
        "country": "FR",
        "source": "api",
    }


def measure(token: str, *, requests: int = REQUESTS) -> dict:
    """Median ms of `requests` API creations, plain INSERTs and no-ops (after a warm-up), and one creation's queries."""
    # The request pays for enqueueing the follow-up work, not for running it: a worker does that.
    app.conf.update(task_always_eager=False, broker_url="memory://")
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    run = uuid.uuid4().hex[:8]
    counter = iter(range(10 * (requests + WARM_UP) + 10))

    def post(path: str) -> float:
        started = time.perf_counter()
        response = client.post(path, _payload(run, next(counter)), content_type="application/json")
        elapsed = time.perf_counter() - started
        if response.status_code != 201:
            raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
        return elapsed

    def noop() -> float:
        started = time.perf_counter()
        response = client.get("/bench/noop/")
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"/bench/noop/ answered {response.status_code}")
        return elapsed

    samples: dict[str, list[float]] = {"api": [], "plain": [], "noop": []}
    try:
        for n in range(requests + WARM_UP):
            # Interleaved, so that the three see the same cache and table state.
            timings = (post("/api/v1/leads/"), post("/bench/plain-insert/"), noop())
            if n >= WARM_UP:
                for name, elapsed in zip(samples, timings, strict=True):
                    samples[name].append(elapsed)
        with CaptureQueriesContext(connection) as queries:
            post("/api/v1/leads/")
        with CaptureQueriesContext(connection) as plain_queries:
            post("/bench/plain-insert/")
    finally:
        Lead.objects.filter(email__endswith=f"@create-{run}.bench.example").delete()
    return {
        "requests": requests,
        "queries": len(queries),
        "query_list": [query["sql"][:120] for query in queries.captured_queries],
        "plain_queries": len(plain_queries),
        **{f"{name}_median": statistics.median(values) for name, values in samples.items()},
    }


def run(ctx) -> dict:
    """The suite's figure: queries and median ms of one API lead creation, against the two baselines."""
    from bench.run import row

    result = measure(ctx.tokens[ctx.managers[0].username])
    plain, noop = _ms(result["plain_median"]), _ms(result["noop_median"])
    return {
        "rows": [
            row(
                "queries of one API lead creation",
                result["queries"],
                "queries",
                baseline=result["plain_queries"],
                baseline_label="plain INSERT endpoint",
            ),
            row("no-op authenticated endpoint, median", noop, "ms"),
            row("plain INSERT endpoint, median", plain, "ms", baseline=noop, baseline_label="no-op median"),
            row(
                "POST /api/v1/leads/, median",
                _ms(result["api_median"]),
                "ms",
                baseline=plain,
                baseline_label="plain INSERT median",
            ),
        ],
        "details": {
            "requests_per_variant": result["requests"],
            "user": "a manager's token (the lead stays unassigned: scoring, assignment, nurture are enqueued)",
            "queries": result["query_list"],
        },
    }
