"""Housekeeping tasks of the shared kernel."""

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_KEY = "funnel:worker-heartbeat"


@shared_task(ignore_result=True)
def heartbeat_task() -> str:
    """Record that a worker picked up work from the broker (shown on the admin's status page)."""
    now = timezone.now().isoformat()
    cache.set(HEARTBEAT_KEY, now, timeout=None)
    return now


@shared_task(ignore_result=True)
def purge_idempotency_keys_task() -> int:
    """Delete stored idempotent responses older than 24 hours."""
    from core.services import purge_idempotency_keys

    return purge_idempotency_keys()


@shared_task(ignore_result=True)
def sweep_leases_task() -> int:
    """Re-queue the long jobs whose worker stopped renewing its lease (every FUNNEL_LEASE_SWEEP_SECONDS on beat)."""
    from core.leases import sweep

    return sweep()
