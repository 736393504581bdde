"""Real Celery worker processes on PostgreSQL and Redis: every due step is sent exactly once.

The workers are separate `celery -A crm worker` processes pointed at the pytest database, with a
file email backend in a temporary folder; the test counts the messages they wrote.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from crm.celery import app
from leads.models import Lead
from nurture.models import Delivery, Enrollment, Sequence, Step
from nurture.services.sending import MARK_EVERY, mark_stale_deliveries_unknown, send_due_steps
from tests.conftest import REDIS_URL

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def _start_worker(name: str, tmp_path: Path, *, batch_size: int, send_delay: float) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"{name}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "crm.settings.local",
        "DJANGO_SECRET_KEY": "test-only-not-secret",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "REDIS_URL": REDIS_URL,
        "FUNNEL_VAR_DIR": str(tmp_path / "var"),
        "EMAIL_BACKEND": "tests.nurture.backends.SlowFileBackend",
        "FUNNEL_TEST_SEND_DELAY": str(send_delay),
        "FUNNEL_NURTURE_BATCH_SIZE": str(batch_size),
    }
    command = [CELERY, "-A", "crm", "worker", "--pool=solo", "-Q", ",".join(settings.FUNNEL_QUEUES), "-n", f"{name}@%h",
               "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO"]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while "ready." not in log.read_text():
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"worker {name} did not start:\n{log.read_text()}")
        time.sleep(0.1)
    return process, log


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _kick_sender(times: int) -> None:
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, broker_transport_options={})
    try:
        for _ in range(times):
            app.send_task("nurture.tasks.send_due_steps_task")  # to its routed queue, nurture
    finally:
        app.conf.update(task_always_eager=True)


def _purge_queue() -> None:
    app.conf.update(broker_url=REDIS_URL)
    with app.connection_for_write() as conn:
        for queue in settings.FUNNEL_QUEUES:
            conn.default_channel.queue_declare(queue, passive=False)
            conn.default_channel.queue_purge(queue)


def _due_enrollments(count: int, *, steps: int) -> None:
    sequence = Sequence.objects.create(name="Load", send_days="0123456", send_start_hour=0, send_end_hour=24)
    step_rows = Step.objects.bulk_create(
        Step(sequence=sequence, order=n, subject=f"Step {n} for {{{{ first_name }}}}", body_text="Hi")
        for n in range(1, steps + 1)
    )
    leads = Lead.objects.bulk_create(
        Lead(first_name=f"L{n}", last_name="Load", email=f"load{n}@example.test") for n in range(count)
    )
    due = timezone.now() - timedelta(minutes=1)
    Enrollment.objects.bulk_create(
        Enrollment(lead=lead, sequence=sequence, current_step=step_rows[0], next_send_at=due) for lead in leads
    )


def _mailed_delivery_ids(mail_dir: Path) -> Counter:
    ids: Counter = Counter()
    for path in mail_dir.glob("*"):
        ids.update(int(n) for n in re.findall(r"^X-Funnel-Delivery: (\d+)$", path.read_text(), re.MULTILINE))
    return ids


def _wait_until(condition, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.2)


def test_two_workers_sending_at_once_send_every_due_step_exactly_once(tmp_path):
    _due_enrollments(200, steps=2)  # both steps due at once: workers race for the same enrollments
    _purge_queue()
    workers = []
    try:
        workers.append(_start_worker("nurture-a", tmp_path, batch_size=10, send_delay=0.002))
        workers.append(_start_worker("nurture-b", tmp_path, batch_size=10, send_delay=0.002))
        _kick_sender(2)
        # Like beat, kick again while work remains: a step 2 that one worker made due after the other's last
        # claim waits for the next tick (every minute in production).
        for _ in range(8):
            _wait_until(lambda: Delivery.objects.filter(status="sent").count() >= 400, timeout=5)
            if Delivery.objects.filter(status="sent").count() >= 400:
                break
            _kick_sender(1)
    finally:
        for process, _ in workers:
            _stop(process)

    mailed = _mailed_delivery_ids(tmp_path / "var" / "mail")
    assert sum(mailed.values()) == 400
    assert max(mailed.values()) == 1
    assert set(mailed) == set(Delivery.objects.filter(status="sent").values_list("pk", flat=True))
    assert Delivery.objects.count() == 400
    assert Enrollment.objects.filter(status="completed").count() == 200
    assert all("send_due_steps_task" in log.read_text() for _, log in workers), "both workers ran the sender"


def test_a_worker_killed_mid_batch_and_restarted_never_sends_a_step_twice(tmp_path):
    _due_enrollments(150, steps=1)
    _purge_queue()
    batch = 20
    first = second = None
    try:
        first, _ = _start_worker("nurture-k1", tmp_path, batch_size=batch, send_delay=0.03)
        _kick_sender(1)
        _wait_until(
            lambda: (
                Delivery.objects.filter(status="sent").count() >= 30
                and Delivery.objects.filter(status="sending").count() >= 3
            ),
            timeout=30,
        )
        os.killpg(first.pid, signal.SIGKILL)  # mid-batch: some of its claimed deliveries are still "sending"
        first.wait(timeout=10)
        killed_at_sent = Delivery.objects.filter(status="sent").count()
        assert killed_at_sent < 150, "the worker finished before it could be killed"

        second, _ = _start_worker("nurture-k2", tmp_path, batch_size=batch, send_delay=0.002)
        _kick_sender(1)  # the next beat tick
        _wait_until(lambda: not Enrollment.objects.filter(status="active").exists(), timeout=30)
        time.sleep(0.5)  # let the last marks land
    finally:
        for process in (first, second):
            if process is not None:
                _stop(process)

    mailed = _mailed_delivery_ids(tmp_path / "var" / "mail")
    sent = set(Delivery.objects.filter(status="sent").values_list("pk", flat=True))
    stuck = set(Delivery.objects.filter(status="sending").values_list("pk", flat=True))
    # Exactly once per step where a sender confirmed; at most once anywhere.
    assert max(mailed.values()) == 1
    assert Delivery.objects.count() == 150 and len(sent) + len(stuck) == 150
    assert sent <= set(mailed)
    # What the killed worker had claimed but not confirmed stays "sending": never resent. Up to one confirmation
    # group of those had gone out before the kill.
    assert 0 < len(stuck) <= batch
    assert len(set(mailed) - sent) <= MARK_EVERY and set(mailed) - sent <= stuck

    # The policy: such deliveries become "unknown" for a human and are never sent again.
    Delivery.objects.filter(pk__in=stuck).update(created_at=timezone.now() - timedelta(hours=1))
    assert mark_stale_deliveries_unknown() == len(stuck)
    assert send_due_steps() == 0
