"""A task makes the round trip through Redis and a real Celery worker."""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.cache import cache

from core.tasks import HEARTBEAT_KEY, heartbeat_task
from crm.celery import app
from tests.conftest import REDIS_URL


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_round_trips_through_redis_and_a_real_worker(settings):
    cache.delete(HEARTBEAT_KEY)
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, broker_transport_options={})
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            heartbeat_task.delay()
            deadline = time.monotonic() + 20
            while cache.get(HEARTBEAT_KEY) is None and time.monotonic() < deadline:
                time.sleep(0.1)
    finally:
        app.conf.update(task_always_eager=True)
    assert cache.get(HEARTBEAT_KEY) is not None
