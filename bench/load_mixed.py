"""Mixed load on loopback: reps browsing while integrations write, then a check that no written lead is missing.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_x .venv/bin/python bench/load_mixed.py [--seconds 60]
    DATABASE_URL=… DJANGO_SETTINGS_MODULE=… DJANGO_SECRET_KEY=… .venv/bin/python bench/load_mixed.py \
        --url http://127.0.0.1:8001 --url http://127.0.0.1:8002

Starts gunicorn (2 workers) on 127.0.0.1 against DATABASE_URL — or, with `--url`, drives servers already running
(spread evenly: client n talks to URL n mod len(urls); the settings module and secret key must be the servers', as
the sessions are signed and named by them) — then for `--seconds`:
  * reps (`--reps` threads, signed in) GET the lead list page /leads/ and /api/v1/leads/ in turn;
  * integrations (`--integrations` threads) POST /api/v1/leads/ with an API token and /api/v1/web-to-lead/.
Prints requests, errors, p50/p99 per kind, and whether every lead a 201 acknowledged is in the database.
Exit code 1 on any error or missing lead. Timings are for comparing runs on one machine, never asserted.
`scripts/scale_out.py` (two web processes, two workers per queue) and the `load_mixed` figure of `make bench` reuse it.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess  # nosec B404 - starts gunicorn with a fixed argument list
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
FORM_KEY = "load-mixed"


@dataclass
class Report:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    per_target: Counter = field(default_factory=Counter)  # requests answered by each base URL
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def percentile(self, q: float, kinds: list[str] | None = None) -> float | None:
        """The `q` quantile (0 to 1) of the latencies of `kinds` (all of them when None), in seconds."""
        values = sorted(v for kind, kept in self.latencies.items() if kinds is None or kind in kinds for v in kept)
        return values[min(len(values) - 1, int(len(values) * q))] if values else None

    def lines(self) -> list[str]:
        out = [f"{self.requests} requests in {self.seconds:.0f}s ({self.requests / max(self.seconds, 1e-9):.0f}/s), "
               f"{len(self.errors)} errors, {len(self.written)} leads written, {len(self.missing)} missing"]  # fmt: skip
        for kind, values in sorted(self.latencies.items()):
            ordered = sorted(values)
            p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            out.append(f"  {kind:<22} n={len(values):<6} p50={statistics.median(values) * 1000:7.1f} ms  "
                       f"p99={p99 * 1000:7.1f} ms")  # fmt: skip
        if len(self.per_target) > 1:
            out.append("  per server: " + ", ".join(f"{url} {count}" for url, count in sorted(self.per_target.items())))
        out.extend(f"  error: {error}" for error in self.errors[:10])
        return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(*, reps: list | None = None, integration_role: str = "rep") -> dict:
    """Sign in the reps (four load reps of their own when None), create an integration token and a website form.

    An integration with the rep role owns the leads it posts; another role leaves them to assignment. Needs Django.
    """
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from leads.models import WebForm
    from users.models import User
    from users.services import create_api_token

    sessions = []
    if reps is None:
        reps = [
            User.objects.get_or_create(username=f"load-rep{n}", defaults={"role": "rep", "name": f"Load rep {n}"})[0]
            for n in range(1, 5)
        ]
    for user in reps:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "users.backends.RoleModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    integration, _ = User.objects.get_or_create(
        username=f"load-integration-{integration_role}", defaults={"role": integration_role}
    )
    # The bench measures the server, not the token's own rate limit (FUNNEL_TOKEN_RATE would answer 429s).
    _, raw = create_api_token(user=integration, name=f"load-{uuid.uuid4().hex[:8]}", rate_limit=BENCH_TOKEN_RATE)
    WebForm.objects.get_or_create(form_key=FORM_KEY, defaults={"name": "Load test form"})
    return {"sessions": sessions, "token": raw, "cookie": settings.SESSION_COOKIE_NAME}


# Requests per minute a bench token may make: far above what the bench sends.
BENCH_TOKEN_RATE = 10_000_000


def start_server(database_url: str, port: int, var_dir: Path, *, secret_key: str, workers: int = 2) -> subprocess.Popen:
    """Start gunicorn on loopback with the local settings and wait until it answers."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings.local",
        # The sessions prepared in this process are signed with its key.
        "DJANGO_SECRET_KEY": secret_key,
        "DATABASE_URL": database_url,
        "FUNNEL_VAR_DIR": str(var_dir),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_LOG_LEVEL": "WARNING",
        **UNTHROTTLED,
    }
    env.pop("REDIS_URL", None)  # per-process cache is enough for one loopback run
    # Kicks go to a throwaway filesystem broker: this measures the web tier, and leaves no queue behind.
    env["CELERY_BROKER_URL"] = "filesystem://"
    return launch_gunicorn(port, env, ["-w", str(workers)])


# One client IP sends everything here; the throttles guard against real abuse, not a load test.
UNTHROTTLED = {"FUNNEL_THROTTLE_WEB_TO_LEAD": "1000000/min", "FUNNEL_THROTTLE_AUTH": "1000000/min"}


def launch_gunicorn(port: int, env: dict, options: list[str], *, log=None, wait: bool = True) -> subprocess.Popen:
    """Start `gunicorn crm.wsgi` on 127.0.0.1:`port` with `env` and `options`; wait until it answers unless told."""
    command = [GUNICORN, "crm.wsgi", "-b", f"127.0.0.1:{port}", "--log-level", "warning", *options]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log)  # nosec B603
    return wait_until_answering(process, port) if wait else process


def wait_until_answering(process: subprocess.Popen, port: int) -> subprocess.Popen:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health/", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status in {200, 503}:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"gunicorn did not start on port {port}")


def _timed(
    report: Report, conn: http.client.HTTPConnection, kind: str, method: str, path: str, *, ok: int, **kwargs
) -> int:
    started = time.monotonic()
    try:
        conn.request(method, path, **kwargs)
        response = conn.getresponse()
        body = response.read()
        status = response.status
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        with report.lock:
            report.errors.append(f"{kind}: {exc!r}")
        return 0
    with report.lock:
        report.latencies[kind].append(time.monotonic() - started)
        report.per_target[f"{conn.host}:{conn.port}"] += 1
        if status != ok:  # a redirect to the sign-in page is as much a failure as a 500
            report.errors.append(f"{kind}: HTTP {status} {body[:200]!r}")
    return status


def _connection(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30)


def _rep(report: Report, url: str, cookie: str, stop: threading.Event) -> None:
    conn = _connection(url)
    headers = {"Cookie": cookie}
    while not stop.is_set():
        _timed(report, conn, "GET /leads/", "GET", "/leads/", ok=200, headers=headers)
        _timed(report, conn, "GET /api/v1/leads/", "GET", "/api/v1/leads/", ok=200, headers=headers)


def _integration(report: Report, url: str, token: str, stop: threading.Event) -> None:
    conn = _connection(url)
    while not stop.is_set():
        email = f"api-{uuid.uuid4().hex[:12]}@load.example"
        body = json.dumps({"first_name": "Load", "last_name": "Api", "email": email, "company": "Load Inc"})
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        if (
            _timed(report, conn, "POST /api/v1/leads/", "POST", "/api/v1/leads/", ok=201, body=body, headers=headers)
            == 201
        ):
            with report.lock:
                report.written.append(email)
        email = f"web-{uuid.uuid4().hex[:12]}@load.example"
        body = json.dumps({"form_key": FORM_KEY, "first_name": "Load", "last_name": "Web", "email": email})
        status = _timed(report, conn, "POST /web-to-lead/", "POST", "/api/v1/web-to-lead/", ok=201, body=body,
                        headers={"Content-Type": "application/json"})  # fmt: skip
        if status == 201:
            with report.lock:
                report.written.append(email)


def drive(report: Report, urls: list[str], setup: dict, *, seconds: float, reps: int, integrations: int) -> None:
    """Run the clients against `urls` (client n on URL n mod len) for `seconds`; results land in `report`."""
    stop = threading.Event()
    cookies = [f"{setup['cookie']}={key}" for key in setup["sessions"]]
    threads = [
        threading.Thread(target=_rep, args=(report, urls[n % len(urls)], cookies[n % len(cookies)], stop))
        for n in range(reps)
    ] + [
        threading.Thread(target=_integration, args=(report, urls[(reps + n) % len(urls)], setup["token"], stop))
        for n in range(integrations)
    ]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    report.seconds = time.monotonic() - started


def check_stored(report: Report) -> None:
    """Fill `report.missing` with the acknowledged leads the database does not hold (needs Django set up)."""
    from leads.models import Lead

    stored = set()
    for start in range(0, len(report.written), 1000):
        chunk = report.written[start : start + 1000]
        stored.update(Lead.objects.filter(email__in=chunk).values_list("email", flat=True))
    report.missing = [email for email in report.written if email not in stored]


def run(database_url: str, *, seconds: float, reps: int = 4, integrations: int = 2, workers: int = 2) -> Report:
    """Run the mixed load against a fresh gunicorn and check every acknowledged lead is stored (needs Django set up)."""
    from django.conf import settings
    from django.db import close_old_connections

    setup = prepare()
    close_old_connections()
    report = Report()
    port = _free_port()
    with tempfile.TemporaryDirectory() as var_dir:
        server = start_server(database_url, port, Path(var_dir), secret_key=settings.SECRET_KEY, workers=workers)
        try:
            drive(report, [f"http://127.0.0.1:{port}"], setup, seconds=seconds, reps=reps, integrations=integrations)
        finally:
            server.terminate()
            server.wait(timeout=30)
    check_stored(report)
    return report


# `make bench`'s figure: as many clients as `load_test` (8), three quarters of the requests reads.
FIGURE_REPS, FIGURE_INTEGRATIONS = 6, 2


def figure(ctx) -> dict:
    """The mixed load on one gunicorn (2 workers x 8 threads, gthread, production settings) on the bench dataset."""
    from django.db import close_old_connections

    from bench.run import row

    seconds = float(os.environ.get("BENCH_LOAD_SECONDS") or max(2.0, 60 * min(ctx.scale, 1.0)))
    setup = prepare(reps=ctx.reps[:FIGURE_REPS])  # the dataset's reps, each with their share of the leads
    close_old_connections()
    port = _free_port()
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "bench.settings", **UNTHROTTLED}
    server = launch_gunicorn(port, env, ["--workers", "2", "--threads", "8", "--worker-class", "gthread"])
    report = Report()
    try:
        drive(report, [f"http://127.0.0.1:{port}"], setup, seconds=seconds, reps=FIGURE_REPS,
              integrations=FIGURE_INTEGRATIONS)  # fmt: skip
    finally:
        server.terminate()
        server.wait(timeout=30)
    check_stored(report)
    ms = {q: report.percentile(q) for q in (0.5, 0.99)}
    return {
        "rows": [
            row("requests/s", round(report.requests / report.seconds, 1), "req/s", higher_is_better=True),
            row("median latency", round(ms[0.5] * 1000, 2) if ms[0.5] is not None else None, "ms"),
            row("p99 latency", round(ms[0.99] * 1000, 2) if ms[0.99] is not None else None, "ms"),
            row("errors", len(report.errors), "requests"),
            row("acknowledged leads missing", len(report.missing), "leads"),
        ],
        "details": {
            "seconds": round(report.seconds, 1),
            "clients": f"{FIGURE_REPS} reps (GET /leads/, GET /api/v1/leads/), {FIGURE_INTEGRATIONS} integrations "
            "(POST /api/v1/leads/, POST /api/v1/web-to-lead/)",
            "requests": report.requests,
            "leads_written": len(report.written),
            "per_kind": report.lines()[1 : 1 + len(report.latencies)],
            "first_errors": report.errors[:5],
        },
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--reps", type=int, default=4)
    parser.add_argument("--integrations", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--url", action="append", default=[], help="drive this running server (repeatable)")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        parser.error("set DATABASE_URL (PostgreSQL) for the server and the final check")
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm.settings.local")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    if args.url:
        report = Report()
        drive(report, args.url, prepare(), seconds=args.seconds, reps=args.reps, integrations=args.integrations)
        check_stored(report)
    else:
        report = run(database_url, seconds=args.seconds, reps=args.reps, integrations=args.integrations,
                     workers=args.workers)  # fmt: skip
    print("\n".join(report.lines()))
    return 1 if report.errors or report.missing else 0


if __name__ == "__main__":
    sys.exit(main())
