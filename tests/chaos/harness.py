"""The chaos suite's tools: short leases for the test workers, a sweeper, faults, and the recovery-time report.

The workers run with a 1 s heartbeat, a 5 s lease and a 1 s sweep, so a case takes seconds; production's defaults
(5 s heartbeat, 30 s lease, 15 s sweep) recover within 45 s plus a worker's start. `make chaos` sets
FUNNEL_CHAOS_RESULTS and the suite writes every case's recovery time there (chaos/results/latest.json).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import redis
from django.core.files.base import ContentFile
from django.db import connection, connections

from crm.celery import app
from tests.conftest import REDIS_URL
from tests.system.workers import ROOT, database_url, kill, start_worker

LEASE_ENV = {"FUNNEL_LEASE_HEARTBEAT_SECONDS": "1", "FUNNEL_LEASE_SECONDS": "5", "FUNNEL_LEASE_SWEEP_SECONDS": "1"}

CHUNK = 200  # rows or leads per chunk in the test workers: five chunks a job
RESULTS: list[dict] = []

_BEAT = """
import os, time, django
django.setup()
from crm.celery import app
while True:
    app.send_task("core.tasks.sweep_leases_task", queue="default")
    time.sleep(float(os.environ["FUNNEL_LEASE_SWEEP_SECONDS"]))
"""


def csv_file(rows: int) -> ContentFile:
    lines = ["Last Name,Email,Company"] + [f"Row{n},row{n}@chaos.example,Chaos" for n in range(rows)]
    return ContentFile(("\n".join(lines) + "\n").encode(), name="chaos.csv")


def worker(name: str, tmp_path: Path, **env: str) -> subprocess.Popen:
    """A worker reading every queue, as `make run`'s; only the sweeper's own worker reads default alone."""
    return start_worker(name, tmp_path, **LEASE_ENV, **env)


class Sweeper:
    """Beat's lease sweep, alone: a worker on the default queue and a process that sends the sweep every second.

    Its worker reads no other queue, so a re-queued long job is taken over by the test's next worker, not by it."""

    def __init__(self, tmp_path: Path) -> None:
        self.worker = start_worker("sweeper", tmp_path, queues="default", **LEASE_ENV)
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "crm.settings.local",
            "DJANGO_SECRET_KEY": "test-only-not-secret",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": REDIS_URL,
            "REDIS_URL": REDIS_URL,
            "FUNNEL_VAR_DIR": str(tmp_path / "var"),
            **LEASE_ENV,
        }
        self.beat = subprocess.Popen(
            [sys.executable, "-c", _BEAT], cwd=ROOT, env=environment, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=(tmp_path / "beat.log").open("w"),
        )  # fmt: skip

    def stop(self) -> None:
        kill(self.beat)
        kill(self.worker)


def send(task_name: str, **kwargs) -> None:
    """Publish one task message to the real broker, as a page's kick or beat would (routed by CELERY_TASK_ROUTES)."""
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, broker_transport_options={})
    try:
        app.send_task(task_name, kwargs=kwargs)
    finally:
        app.conf.update(task_always_eager=True)


def hold_row(table: str, pk: int):
    """A second session holding one row's lock, so the job blocks there (a deterministic kill point)."""
    locker = connections.create_connection("default")
    locker.set_autocommit(False)
    with locker.cursor() as cursor:
        cursor.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", [pk])  # noqa: S608 - a fixed table name
    return locker


def backend_pid(conn) -> int:
    with conn.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def terminate_other_backends(*spared) -> int:
    """pg_terminate_backend every other session of the test database (the workers'), as a restart would."""
    keep = [backend_pid(connection), *(backend_pid(conn) for conn in spared)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND NOT (pid = ANY(%s))",
            [keep],
        )
        return cursor.fetchone()[0]


def kill_redis_clients() -> int:
    """CLIENT KILL every connection to the test's Redis database (the workers' broker links), not other databases'."""
    client = redis.Redis.from_url(REDIS_URL)
    db = client.connection_pool.connection_kwargs.get("db", 0)
    me = client.client_id()
    killed = 0
    for entry in client.client_list():
        if int(entry.get("db", -1)) == db and int(entry["id"]) != me:
            killed += client.client_kill_filter(_id=entry["id"])
    client.close()
    return killed


def progressed(read, since, *, timeout: float = 60) -> float | None:
    """Seconds from `since` until `read()` is true (None if it never is within `timeout`)."""
    deadline = time.monotonic() + timeout
    while not read():
        if time.monotonic() > deadline:
            return None
        time.sleep(0.1)
    return round(time.monotonic() - since, 1)


def record(kind: str, fault: str, recovery_seconds: float | None, effects: str) -> None:
    RESULTS.append({"kind": kind, "fault": fault, "recovery_seconds": recovery_seconds, "effects_checked": effects})


def write_results(path: str) -> None:
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores",
        "lease": LEASE_ENV,
        "cases": RESULTS,
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    Path(path).write_text(json.dumps(report, indent=2) + "\n")
