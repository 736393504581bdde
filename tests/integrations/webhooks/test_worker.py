"""A real Celery worker on PostgreSQL and Redis delivers a committed event to a live receiver."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from crm.celery import app
from integrations.webhooks import guard
from integrations.webhooks.models import Delivery, Message
from leads.services.capture import create_lead
from tests.conftest import REDIS_URL

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[3]
CELERY = str(Path(sys.executable).with_name("celery"))


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _start_worker(tmp_path: Path) -> subprocess.Popen:
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings.local",
        "DJANGO_SECRET_KEY": "test-only-not-secret",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "REDIS_URL": REDIS_URL,
        "FUNNEL_VAR_DIR": str(tmp_path / "var"),
        guard.ALLOWED_HOSTS_VARIABLE: "127.0.0.1",
    }
    command = [CELERY, "-A", "crm", "worker", "--pool=solo", "-Q", ",".join(settings.FUNNEL_QUEUES), "-n", "webhooks@%h",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while "ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"the worker did not start:\n{log.read_text()}")
        time.sleep(0.1)
    return process


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def test_a_worker_delivers_the_committed_event_to_the_receiver(admin, receiver, endpoint_for, tmp_path):
    endpoint_for(receiver, ["lead.created"])
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, broker_transport_options={})
    with app.connection_for_write() as conn:
        for queue in settings.FUNNEL_QUEUES:
            conn.default_channel.queue_declare(queue, passive=False)
            conn.default_channel.queue_purge(queue)
    worker = _start_worker(tmp_path)
    try:
        # The write commits and kicks the dispatcher through Redis (no beat here).
        create_lead(by=admin, first_name="Ada", last_name="Lovelace")
        deadline = time.monotonic() + 30
        while not receiver.requests and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        app.conf.update(task_always_eager=True)
        _stop(worker)

    [got] = receiver.requests
    assert got.verified
    assert got.headers["webhook-id"] == Message.objects.get().webhook_id
    assert Delivery.objects.get().status == "succeeded"
