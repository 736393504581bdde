"""Built-in figures of the benchmark: lead list API, load test on gunicorn, CSV import vs COPY.

Each is `fn(ctx) -> {"rows": [bench.run.row(…), …], "details": {…}}` (see bench/README.md).
"""

from __future__ import annotations

import csv
import http.client
import io
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.core.files import File
from django.db import connection
from django.test import Client

from bench.run import ROOT, row
from imports.models import ImportJob
from leads.models import Lead


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


# --- lead list API ----------------------------------------------------------------------------------------


def list_api(ctx) -> dict:
    """Median and p99 of GET /api/v1/leads/ (first pages, cursor walks) vs GET /bench/noop/, same auth."""
    manager = ctx.managers[0]
    token = ctx.tokens[manager.username]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}", HTTP_HOST="127.0.0.1")
    requests = ctx.scaled(300, minimum=30)
    depth = 10  # follow `next` this many pages, then start over from page one

    def sample(path: str, query: dict) -> list[float]:
        timings, url = [], f"{path}?{urlencode(query)}" if query else path
        next_url = url
        for n in range(requests + 5):
            started = time.perf_counter()
            response = client.get(next_url)
            elapsed = time.perf_counter() - started
            if response.status_code != 200:
                raise RuntimeError(f"{next_url} answered {response.status_code}")
            if n >= 5:  # the first requests warm the connection and caches
                timings.append(elapsed)
            body = response.json()
            following = body.get("next") if isinstance(body, dict) else None
            if following and (n % depth) != depth - 1:
                parts = urlsplit(following)
                next_url = f"{parts.path}?{parts.query}"
            else:
                next_url = url
        return timings

    noop = sample("/bench/noop/", {})
    rows = [row("no-op authenticated endpoint, median", _ms(statistics.median(noop)), "ms")]
    details = {
        "requests_per_variant": requests,
        "cursor_depth": depth,
        "user": "a manager (10 reps' leads + unassigned)",
    }
    for label, query in [
        ("page 50", {"page_size": 50}),
        ("page 200", {"page_size": 200}),
        ("page 50, filtered status+source", {"page_size": 50, "status": "working", "source": "web"}),
        ("page 200, filtered status+source", {"page_size": 200, "status": "working", "source": "web"}),
    ]:
        timings = sample("/api/v1/leads/", query)
        rows.append(
            row(
                f"{label}, median",
                _ms(statistics.median(timings)),
                "ms",
                baseline=_ms(statistics.median(noop)),
                baseline_label="no-op median",
            )
        )
        rows.append(row(f"{label}, p99", _ms(_percentile(timings, 0.99)), "ms", baseline=_ms(_percentile(noop, 0.99)), baseline_label="no-op p99"))  # fmt: skip
    return {"rows": rows, "details": details}


# --- load test --------------------------------------------------------------------------------------------

LOAD_CLIENTS = 8


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load_test(ctx) -> dict:
    """Drive GET /api/v1/leads/ on gunicorn (2 sync workers, production settings) from 8 looping clients."""
    seconds = float(os.environ.get("BENCH_LOAD_SECONDS") or max(2.0, 60 * min(ctx.scale, 1.0)))
    port = _free_port()
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "bench.settings"}
    gunicorn = Path(sys.executable).parent / "gunicorn"
    server = subprocess.Popen(
        [
            str(gunicorn),
            "crm.wsgi:application",
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        _wait_until_up(port)
        token = ctx.tokens[ctx.managers[0].username]
        headers = {"Authorization": f"Token {token}", "Host": "127.0.0.1"}
        latencies: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        deadline = time.perf_counter() + seconds

        def client() -> None:
            mine, failures = [], []
            while time.perf_counter() < deadline:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                started = time.perf_counter()
                try:
                    conn.request("GET", "/api/v1/leads/?page_size=50", headers=headers)
                    response = conn.getresponse()
                    response.read()
                    if response.status != 200:
                        failures.append(str(response.status))
                    else:
                        mine.append(time.perf_counter() - started)
                except OSError as exc:
                    failures.append(exc.__class__.__name__)
                finally:
                    conn.close()
            with lock:
                latencies.extend(mine)
                errors.extend(failures)

        threads = [threading.Thread(target=client) for _ in range(LOAD_CLIENTS)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    done = len(latencies)
    return {
        "rows": [
            row("requests/s", round(done / elapsed, 1), "req/s", higher_is_better=True),
            row("median latency", _ms(statistics.median(latencies)) if latencies else None, "ms"),
            row("p99 latency", _ms(_percentile(latencies, 0.99)) if latencies else None, "ms"),
            row("errors", len(errors), "requests"),
        ],
        "details": {
            "seconds": round(elapsed, 1),
            "clients": LOAD_CLIENTS,
            "requests": done,
            "error_kinds": sorted(set(errors)),
            "target": "GET /api/v1/leads/?page_size=50 as a manager, gunicorn 2 sync workers on loopback",
        },
    }


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health/", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start within 30 s")


# --- CSV import vs COPY -----------------------------------------------------------------------------------

IMPORT_HEADERS = [
    "First Name",
    "Last Name",
    "Email",
    "Company",
    "Title",
    "Phone",
    "Lead Source",
    "Lead Status",
    "No. of Employees",
    "Annual Revenue",
    "City",
    "Country",
]


def write_import_csv(path: Path, rows: int, existing_leads: int) -> dict:
    """Write a Salesforce-style export: 2% rows match existing leads, 1% repeat an earlier row, 0.5% are invalid."""
    sources = ["Web", "Partner Referral", "Trade Show", "Webinar", "Other", "Email", "Advertisement"]
    statuses = ["Open - Not Contacted", "Working - Contacted", "Qualified", ""]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(IMPORT_HEADERS)
        for n in range(rows):
            if n % 50 == 7 and existing_leads:
                email = (
                    f"lead{1 + (n * 7919) % existing_leads}@company{(1 + (n * 7919) % existing_leads) % 50000}.example"
                )
            elif n % 100 == 11:
                email = f"import{n - 1}@new{(n - 1) % 20000}.example"
            else:
                email = f"import{n}@new{n % 20000}.example"
            last = "" if n % 400 == 3 else f"Imported{n}"
            if n % 400 == 5:
                email = "not an email"
            writer.writerow([
                f"First{n}", last, email, f"New Company {n % 20000}", "Head of Sales", f"+1 555 {n % 10000:04d}",
                sources[n % len(sources)], statuses[n % len(statuses)], str(n % 900 + 1), f"{(n % 1000) * 1000}.00",
                "Lyon", "FR",
            ])  # fmt: skip
    return {"rows": rows, "bytes": path.stat().st_size}


def import_csv(ctx) -> dict:
    """Rows/s of the full import (validate, dedupe, upsert, score, assign) vs COPY of the same file."""
    rows = ctx.leads
    path = ctx.work_dir / f"import-{rows}.csv"
    written = write_import_csv(path, rows, ctx.leads)
    with connection.cursor() as cursor:
        columns = ", ".join(f"c{i} text" for i in range(len(IMPORT_HEADERS)))
        cursor.execute(f"DROP TABLE IF EXISTS bench_copy_baseline; CREATE TABLE bench_copy_baseline ({columns})")
    with path.open(encoding="utf-8") as handle, connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.copy_expert("COPY bench_copy_baseline FROM STDIN WITH (FORMAT csv, HEADER true)", handle)
        copy_seconds = time.perf_counter() - started
    leads_before = Lead.objects.count()

    from imports.services import create_import, run_import

    with path.open("rb") as handle:
        job = create_import(by=ctx.admin, file=File(handle, name=path.name), enqueue=False)
    import_seconds, _ = ctx.timed(run_import, job.pk)
    job = ImportJob.objects.get(pk=job.pk)
    lead_copy_seconds = _copy_into_leads()
    floor_seconds = _insert_floor()
    copy_rate, import_rate = rows / copy_seconds, rows / import_seconds
    return {
        "rows": [
            row(
                "rows/s",
                round(import_rate),
                "rows/s",
                baseline=round(copy_rate),
                baseline_label="plain COPY",
                higher_is_better=True,
            ),
            row("seconds", round(import_seconds, 2), "s", baseline=round(copy_seconds, 2), baseline_label="plain COPY"),
            row(
                "ceiling: plain COPY into the lead table",
                round(rows / lead_copy_seconds),
                "rows/s",
                baseline=round(copy_rate),
                baseline_label="plain COPY",
                higher_is_better=True,
            ),
            row(
                "seconds vs the schema's floor",
                round(import_seconds, 2),
                "s",
                baseline=round(floor_seconds, 2),
                baseline_label="INSERT…SELECT into leads + history",
            ),
        ],
        "details": written
        | {
            "status": job.status,
            "created": job.created,
            "updated": job.updated,
            "merged": job.merged,
            "failed": job.failed,
            "leads_before": leads_before,
            "scoring_installed": _installed("scoring.services"),
            "assignment_installed": _installed("assignment.services"),
        },
    }


_FLOOR_COLUMNS = (
    "first_name, last_name, email, phone, company, title, website, industry, country, city, description, source,"
    " status, unqualified_reason, score, rating, do_not_contact, created_at, updated_at"
)
# The copied rows shaped as leads (unique emails), in email order as the import writes them.
_FLOOR_ROWS = (
    "SELECT c0, coalesce(c1, ''), 'floor' || row_number() OVER () || '-' || c2, c5, c3, c4, '', '', c11, c10, '',"
    " 'import', 'new', '', 0, 'cold', false, now(), now() FROM bench_copy_baseline ORDER BY c2"
)


def _copy_into_leads() -> float:
    """Time a plain COPY of the same rows, shaped as leads, straight into `leads_lead` with its indexes (nothing
    validated, no history, rolled back): what any writer into this table pays at least."""
    shaped = io.StringIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY ({_FLOOR_ROWS}) TO STDOUT", shaped)
        shaped.seek(0)
        started = time.perf_counter()
        cursor.execute("BEGIN")
        try:
            cursor.copy_expert(f"COPY leads_lead ({_FLOOR_COLUMNS}) FROM STDIN", shaped)
            seconds = time.perf_counter() - started
        finally:
            cursor.execute("ROLLBACK")
    return seconds


def _insert_floor() -> float:
    """Time what the database alone needs to add the copied rows as leads (indexes, constraints, history), then
    roll it back: the part of the import's cost that no import code can remove."""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            cursor.execute(
                f"WITH inserted AS (INSERT INTO leads_lead ({_FLOOR_COLUMNS}) {_FLOOR_ROWS} RETURNING id, status)"
                " INSERT INTO leads_leadstatuschange (lead_id, from_status, to_status, changed_at, reason)"
                " SELECT id, '', status, now(), 'Imported' FROM inserted"
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred foreign-key checks, as a commit runs them
        finally:
            cursor.execute("ROLLBACK")
            cursor.execute("DROP TABLE bench_copy_baseline")
    return time.perf_counter() - started


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None
