"""Start and kill real `celery -A crm worker` processes pointed at the pytest PostgreSQL database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from crm.celery import app
from tests.conftest import REDIS_URL

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
# A test worker reads every queue, as `make run`'s one worker does: whatever a task kicks next is run too.
ALL_QUEUES = ",".join(settings.FUNNEL_QUEUES)


def database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def start_worker(name: str, tmp_path: Path, *, queues: str = ALL_QUEUES, **env: str) -> subprocess.Popen:
    """Start a solo-pool worker consuming `queues` and wait until it is ready."""
    log = tmp_path / f"{name}.log"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings.local",
        "DJANGO_SECRET_KEY": "test-only-not-secret",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "REDIS_URL": REDIS_URL,
        "FUNNEL_VAR_DIR": str(tmp_path / "var"),
        **env,
    }
    command = [CELERY, "-A", "crm", "worker", "--pool=solo", "-Q", queues, "-n", f"{name}@%h",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=environment, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    process.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while "ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"worker {name} did not start:\n{log.read_text()}")
        time.sleep(0.1)
    return process


def kill(process: subprocess.Popen | None) -> None:
    """SIGKILL the worker's whole process group, as the OOM killer or a lost host would."""
    if process is not None and process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    if process is not None:
        process.wait(timeout=10)


def send(task_name: str, **kwargs) -> None:
    """Publish one task message to the real broker, as beat would: to the queue CELERY_TASK_ROUTES names."""
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, broker_transport_options={})
    try:
        app.send_task(task_name, kwargs=kwargs)
    finally:
        app.conf.update(task_always_eager=True)


def purge(*queues: str) -> None:
    """Empty the named queues (all of them when none is named)."""
    app.conf.update(broker_url=REDIS_URL)
    with app.connection_for_write() as conn:
        for queue in queues or settings.FUNNEL_QUEUES:
            conn.default_channel.queue_declare(queue, passive=False)
            conn.default_channel.queue_purge(queue)


def wait_until(condition, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
