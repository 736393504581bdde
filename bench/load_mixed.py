"""Mixed load on loopback: reps browsing while integrations write, then a check that no written lead is missing.

Usage:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/funnel_x .venv/bin/python bench/load_mixed.py [--seconds 60]

Starts gunicorn (2 workers) on 127.0.0.1 against DATABASE_URL, then for `--seconds`:
  * reps (`--reps` threads, signed in) GET the lead list page /leads/ and /api/v1/leads/ in turn;
  * integrations (`--integrations` threads) POST /api/v1/leads/ with an API token and /api/v1/web-to-lead/.
Prints requests, errors, p50/p99 per kind, and whether every lead a 201 acknowledged is in the database.
Exit code 1 on any error or missing lead. Timings are for comparing runs on one machine, never asserted.
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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
FORM_KEY = "load-mixed"


@dataclass
class Report:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def requests(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def lines(self) -> list[str]:
        out = [f"{self.requests} requests in {self.seconds:.0f}s ({self.requests / max(self.seconds, 1e-9):.0f}/s), "
               f"{len(self.errors)} errors, {len(self.written)} leads written, {len(self.missing)} missing"]  # fmt: skip
        for kind, values in sorted(self.latencies.items()):
            ordered = sorted(values)
            p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
            out.append(f"  {kind:<22} n={len(values):<6} p50={statistics.median(values) * 1000:7.1f} ms  "
                       f"p99={p99 * 1000:7.1f} ms")  # fmt: skip
        out.extend(f"  error: {error}" for error in self.errors[:10])
        return out


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare() -> dict:
    """Create the rep users, a signed-in session each, an integration token and a website form (needs Django set up)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from leads.models import WebForm
    from users.models import User
    from users.services import create_api_token

    sessions = []
    for n in range(1, 5):
        user, _ = User.objects.get_or_create(username=f"load-rep{n}", defaults={"role": "rep", "name": f"Load rep {n}"})
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "users.backends.RoleModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    integration, _ = User.objects.get_or_create(username="load-integration", defaults={"role": "rep"})
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
        # One client IP sends everything here; the throttles guard against real abuse, not this test.
        "FUNNEL_THROTTLE_WEB_TO_LEAD": "1000000/min",
        "FUNNEL_THROTTLE_AUTH": "1000000/min",
    }
    env.pop("REDIS_URL", None)  # per-process cache is enough for one loopback run
    # Kicks go to a throwaway filesystem broker: this measures the web tier, and leaves no queue behind.
    env["CELERY_BROKER_URL"] = "filesystem://"
    command = [GUNICORN, "crm.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # nosec B603
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/api/v1/health/")
            if conn.getresponse().status in {200, 503}:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


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
        if status != ok:  # a redirect to the sign-in page is as much a failure as a 500
            report.errors.append(f"{kind}: HTTP {status} {body[:200]!r}")
    return status


def _rep(report: Report, port: int, cookie: str, stop: threading.Event) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": cookie}
    while not stop.is_set():
        _timed(report, conn, "GET /leads/", "GET", "/leads/", ok=200, headers=headers)
        _timed(report, conn, "GET /api/v1/leads/", "GET", "/api/v1/leads/", ok=200, headers=headers)


def _integration(report: Report, port: int, token: str, stop: threading.Event) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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


def run(database_url: str, *, seconds: float, reps: int = 4, integrations: int = 2, workers: int = 2) -> Report:
    """Run the mixed load against a fresh gunicorn and check every acknowledged lead is stored (needs Django set up)."""
    from django.conf import settings
    from django.db import close_old_connections

    from leads.models import Lead

    setup = prepare()
    close_old_connections()
    report = Report()
    port = _free_port()
    with tempfile.TemporaryDirectory() as var_dir:
        server = start_server(database_url, port, Path(var_dir), secret_key=settings.SECRET_KEY, workers=workers)
        try:
            stop = threading.Event()
            threads = [
                threading.Thread(target=_rep, args=(report, port, f"{setup['cookie']}={key}", stop))
                for key in (setup["sessions"] * reps)[:reps]
            ] + [threading.Thread(target=_integration, args=(report, port, setup["token"], stop)) for _ in range(integrations)]  # fmt: skip
            started = time.monotonic()
            for thread in threads:
                thread.start()
            time.sleep(seconds)
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
            report.seconds = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
    stored = set()
    for start in range(0, len(report.written), 1000):
        chunk = report.written[start : start + 1000]
        stored.update(Lead.objects.filter(email__in=chunk).values_list("email", flat=True))
    report.missing = [email for email in report.written if email not in stored]
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--reps", type=int, default=4)
    parser.add_argument("--integrations", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
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
    report = run(database_url, seconds=args.seconds, reps=args.reps, integrations=args.integrations,
                 workers=args.workers)  # fmt: skip
    print("\n".join(report.lines()))
    return 1 if report.errors or report.missing else 0


if __name__ == "__main__":
    sys.exit(main())
