"""The scale-out stack of docker-compose.yml on one machine without Docker, under the mixed load (`make scale-out`).

    .venv/bin/python scripts/scale_out.py [--seconds 60] [--database-url postgres://…/funnel_scaleout]
        [--redis-url redis://127.0.0.1:6379/7] [--web 2] [--workers-per-queue 2] [--json report.json]

Against PostgreSQL and Redis, with the production settings (DEBUG off, Redis cache and broker; no TLS redirect on
loopback): creates the database if it is missing and migrates it, then starts `--web` gunicorn processes (gthread),
`--workers-per-queue` Celery workers on EACH queue of CELERY_TASK_ROUTES (`-Q <queue>`, as the worker-<queue>
services) and exactly one beat. It drives bench/load_mixed.py's load across every web process — reps browsing
the lead list page and API while integrations POST leads and web-to-lead — then waits until the workers have
processed what the load created: every acknowledged lead stored, scored, and given an owner by the assignment
rule it adds (one that matches every lead, on the load's reps). It prints requests/s, p50/p99 per kind, errors, and
which worker process ran which tasks. Exit code 1 on any error, failed task or lost lead; 2 when PostgreSQL or
Redis is missing.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess  # nosec B404 - starts gunicorn and celery with fixed argument lists
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CELERY = str(Path(sys.executable).with_name("celery"))
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/funnel_scaleout"
RULE_NAME = "Scale-out load: every lead"
# As a worker-<queue> service: threads (most of a kick is waiting on PostgreSQL), no gossip between workers.
WORKER = [CELERY, "-A", "crm", "worker", "--pool=threads", "--concurrency=2", "--without-gossip", "--without-mingle",
          "--without-heartbeat", "-l", "INFO"]  # fmt: skip
TASK_DONE = re.compile(r"Task ([\w.]+)\[[\w-]+\] succeeded")
TASK_FAILED = re.compile(r"Task ([\w.]+)\[[\w-]+\] (?:raised|failed)")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the load runs")
    parser.add_argument("--database-url", default=os.environ.get("SCALE_OUT_DATABASE_URL", DEFAULT_DATABASE_URL))
    parser.add_argument("--redis-url", default=os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/7",
                        help="the broker, cache and throttles (its queues are emptied first)")  # fmt: skip
    parser.add_argument("--web", type=int, default=2, help="gunicorn processes, each on its own port")
    parser.add_argument("--web-workers", type=int, default=2, help="gunicorn workers per web process")
    parser.add_argument("--web-threads", type=int, default=4, help="threads per gunicorn worker (gthread)")
    parser.add_argument("--workers-per-queue", type=int, default=2)
    parser.add_argument("--reps", type=int, default=4, help="clients browsing")
    parser.add_argument("--integrations", type=int, default=2, help="clients writing")
    parser.add_argument("--settle-seconds", type=float, default=120, help="how long the workers get to catch up")
    parser.add_argument("--json", default="", help="also write the report to this file")
    parser.add_argument("--var-dir", default=str(ROOT / "var" / "scale-out"), help="static files, mail and logs")
    return parser.parse_args(argv)


def environment(args: argparse.Namespace, var_dir: Path, first_port: int) -> dict[str, str]:
    """What every process of the stack gets, as docker-compose.yml's x-app environment."""
    from bench.load_mixed import UNTHROTTLED

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "false",  # loopback: no TLS proxy in front
        "DATABASE_URL": args.database_url,
        "CELERY_BROKER_URL": args.redis_url,
        "REDIS_URL": args.redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "FUNNEL_VAR_DIR": str(var_dir),
        "FUNNEL_SITE_URL": f"http://127.0.0.1:{first_port}",
        "FUNNEL_PROXY_COUNT": "0",
        **UNTHROTTLED,
    }


def missing_service(database_url: str, redis_url: str) -> str | None:
    import psycopg2
    import redis

    try:
        psycopg2.connect(_maintenance_dsn(database_url), connect_timeout=3).close()
    except psycopg2.OperationalError as exc:
        return f"PostgreSQL is not reachable for {database_url} ({str(exc).strip().splitlines()[0]})"
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"Redis is not reachable at {redis_url} ({exc.__class__.__name__})"
    return None


def _maintenance_dsn(database_url: str) -> str:
    return urlunsplit(urlsplit(database_url)._replace(path="/postgres"))


def create_database(database_url: str) -> None:
    """Create the database when it does not exist yet (never drops one)."""
    import psycopg2

    name = urlsplit(database_url).path.lstrip("/")
    connection = psycopg2.connect(_maintenance_dsn(database_url))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')  # nosec B608 - the operator's own database name
    connection.close()


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


class Stack:
    """The processes started, each with its log; `stop()` ends them all (SIGTERM, then SIGKILL)."""

    def __init__(self, logs: Path) -> None:
        self.logs = logs
        self.processes: dict[str, subprocess.Popen] = {}

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def start(self, name: str, command: list[str], env: dict) -> subprocess.Popen:
        with self.log(name).open("w") as log:
            process = subprocess.Popen(  # nosec B603 - fixed argument lists
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        self.processes[name] = process
        return process

    def wait_ready(self, names: list[str], *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        for name in names:
            while "ready." not in self.log(name).read_text():
                if self.processes[name].poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start:\n{self.log(name).read_text()[-3000:]}")
                time.sleep(0.2)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def purge_queues(queues: tuple[str, ...]) -> None:
    """Start from empty queues: messages a previous run left would be counted as this run's work."""
    from crm.celery import app

    with app.connection_for_write() as conn:
        for queue in queues:
            conn.default_channel.queue_declare(queue, passive=False)
            conn.default_channel.queue_purge(queue)


def add_assignment_rule() -> None:
    """A rule that matches every lead, round-robin over every active rep (the load's reps among them)."""
    from assignment.models import AssignmentRule
    from assignment.services import create_assignment_rule
    from users.models import User

    admin, _ = User.objects.get_or_create(username="scale-out-admin", defaults={"role": "admin"})
    if not AssignmentRule.objects.filter(name=RULE_NAME, active=True).exists():
        create_assignment_rule(by=admin, name=RULE_NAME, order=0)


def wait_processed(emails: list[str], *, timeout: float) -> tuple[list[str], float]:
    """Wait until every lead in `emails` is scored and owned; return those that are not, and the seconds waited."""
    from leads.models import Lead

    started = time.monotonic()
    pending = list(emails)
    while True:
        done = set()
        for start in range(0, len(pending), 1000):
            chunk = pending[start : start + 1000]
            done.update(
                Lead.objects.filter(email__in=chunk, scored_at__isnull=False, owner__isnull=False).values_list(
                    "email", flat=True
                )
            )
        pending = [email for email in pending if email not in done]
        if not pending or time.monotonic() - started > timeout:
            return pending, time.monotonic() - started
        time.sleep(0.5)


def tasks_by_worker(stack: Stack, workers: list[str]) -> tuple[dict[str, Counter], list[str]]:
    """Read each worker's log: the tasks it ran (by name), and every task that failed."""
    ran, failed = {}, []
    for name in workers:
        text = stack.log(name).read_text()
        ran[name] = Counter(TASK_DONE.findall(text))
        failed.extend(f"{name}: {task}" for task in TASK_FAILED.findall(text))
    return ran, failed


def run(args: argparse.Namespace) -> dict:
    """Start the stack, drive the load, wait for the workers, stop everything; return the report."""
    from bench.load_mixed import Report, check_stored, drive, launch_gunicorn, prepare, wait_until_answering

    ports = _free_ports(args.web)
    var_dir = Path(args.var_dir)
    logs = var_dir / "logs"  # kept after the run, for a look at what each process did
    shutil.rmtree(logs, ignore_errors=True)
    shutil.rmtree(var_dir / "mail", ignore_errors=True)
    logs.mkdir(parents=True)
    env = environment(args, var_dir, ports[0])
    os.environ.update(env)  # this process signs the load's sessions and checks the leads with the same settings
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import close_old_connections

    call_command("migrate", verbosity=0, interactive=False)
    # The production settings serve static files from the manifest collectstatic writes (kept between runs).
    call_command("collectstatic", verbosity=0, interactive=False)
    queues = tuple(settings.FUNNEL_QUEUES)
    purge_queues(queues)
    setup = prepare(integration_role="manager")  # a manager's leads go to assignment, as web-to-lead's do
    add_assignment_rule()
    close_old_connections()

    stack = Stack(logs)
    report = Report()
    started = time.monotonic()
    try:
        workers = []
        for queue in queues:
            for n in range(1, args.workers_per_queue + 1):
                name = f"worker-{queue}-{n}"
                stack.start(name, [*WORKER, "-Q", queue, "-n", f"{queue}-{n}@%h"], env)
                workers.append(name)
        schedule = str(var_dir / "celerybeat-schedule")
        stack.start("beat", [CELERY, "-A", "crm", "beat", "-l", "INFO", "--schedule", schedule], env)
        options = ["--workers", str(args.web_workers), "--threads", str(args.web_threads), "--worker-class",
                   "gthread"]  # fmt: skip
        for n, port in enumerate(ports, start=1):
            with stack.log(f"web-{n}").open("w") as log:
                web_env = env | {"DJANGO_LOG_LEVEL": "WARNING"}
                stack.processes[f"web-{n}"] = launch_gunicorn(port, web_env, options, log=log, wait=False)
        for n, port in enumerate(ports, start=1):
            wait_until_answering(stack.processes[f"web-{n}"], port)
        stack.wait_ready(workers, timeout=120)
        startup = time.monotonic() - started
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        drive(report, urls, setup, seconds=args.seconds, reps=args.reps, integrations=args.integrations)
        check_stored(report)
        missing = set(report.missing)
        stored = [email for email in report.written if email not in missing]
        unprocessed, settled = wait_processed(stored, timeout=args.settle_seconds)
        time.sleep(1)  # let the last log lines land
    finally:
        stack.stop()
    ran, failed = tasks_by_worker(stack, workers)
    return {
        "web_processes": args.web,
        "workers": len(workers),
        "queues": list(queues),
        "startup_seconds": round(startup, 1),
        "seconds": round(report.seconds, 1),
        "requests": report.requests,
        "requests_per_second": round(report.requests / max(report.seconds, 1e-9), 1),
        "p50_ms": {kind: _ms(report, kind, 0.5) for kind in sorted(report.latencies)},
        "p99_ms": {kind: _ms(report, kind, 0.99) for kind in sorted(report.latencies)},
        "per_web_process": dict(report.per_target),
        "errors": report.errors,
        "leads_written": len(report.written),
        "leads_missing": report.missing,
        "leads_unprocessed": unprocessed,
        "settle_seconds": round(settled, 1),
        "tasks_by_worker": {name: dict(counter) for name, counter in ran.items()},
        "failed_tasks": failed,
        "summary": report.lines(),
    }


def _ms(report, kind: str, q: float) -> float | None:
    value = report.percentile(q, [kind])
    return None if value is None else round(value * 1000, 1)


def print_report(result: dict) -> None:
    print(f"{result['web_processes']} web processes, {result['workers']} workers "
          f"({', '.join(result['queues'])}), one beat; started in {result['startup_seconds']} s")  # fmt: skip
    print("\n".join(result["summary"]))
    lost = len(result["leads_missing"]) + len(result["leads_unprocessed"])
    print(f"  {result['leads_written']} acknowledged leads: {lost} lost or unprocessed "
          f"(all scored and assigned {result['settle_seconds']} s after the load)")  # fmt: skip
    print("tasks run, by worker process:")
    for name, tasks in result["tasks_by_worker"].items():
        detail = ", ".join(f"{task.rsplit('.', 1)[-1]} {count}" for task, count in sorted(tasks.items()))
        print(f"  {name:<22} {sum(tasks.values()):>6}  {detail}")
    for failure in result["failed_tasks"][:10]:
        print(f"  failed task: {failure}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problem = missing_service(args.database_url, args.redis_url)
    if problem:
        print(f"The scale-out run needs PostgreSQL and Redis. {problem}", file=sys.stderr)
        return 2
    create_database(args.database_url)
    result = run(args)
    print_report(result)
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2) + "\n")
    bad = result["errors"] or result["leads_missing"] or result["leads_unprocessed"] or result["failed_tasks"]
    return 1 if bad or not result["leads_written"] else 0


if __name__ == "__main__":
    sys.exit(main())
