"""One lease per long job: one holder at a time, taken over only once it lapsed, re-queued by the sweeper."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core import leases
from core.models import Lease

pytestmark = pytest.mark.django_db

TASK = "imports.tasks.run_import_bulk_task"


def _lapse(kind: str, job_id: int) -> None:
    Lease.objects.filter(kind=kind, job_id=job_id).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_a_job_held_by_a_live_worker_cannot_be_claimed_by_another():
    first = leases.claim("import", 7, task=TASK)

    assert first is not None
    assert leases.claim("import", 7, task=TASK) is None
    assert leases.claim("import", 8, task=TASK) is not None  # another job is free
    assert not leases.is_recovering("import", 7)


def test_a_lapsed_lease_shows_recovering_and_exactly_one_claimer_takes_it_over():
    old = leases.claim("import", 7, task=TASK)
    _lapse("import", 7)
    assert leases.is_recovering("import", 7)
    assert leases.recovering_ids("import", [7, 8]) == {7}

    new = leases.claim("import", 7, task=TASK)
    again = leases.claim("import", 7, task=TASK)

    assert new is not None and again is None
    assert not leases.is_recovering("import", 7)
    assert Lease.objects.get(kind="import", job_id=7).takeovers == 1
    with pytest.raises(leases.LeaseLost):
        old.renew()  # the stopped worker, back, may write nothing more
    new.renew()


def test_holding_releases_the_lease_when_the_job_ends_and_lapses_it_when_the_worker_goes_down():
    with leases.holding("rescore", 1, task=TASK) as held:
        assert held is not None
    assert not Lease.objects.exists()

    with pytest.raises(SystemExit), leases.holding("rescore", 2, task=TASK):
        raise SystemExit("worker stopping")
    assert leases.is_recovering("rescore", 2)


def test_a_lost_lease_ends_the_block_quietly():
    with leases.holding("rescore", 1, task=TASK) as held:
        Lease.objects.filter(kind="rescore", job_id=1).update(holder="someone else")
        held.renew()
        pytest.fail("renew should have raised")  # pragma: no cover
    assert Lease.objects.get(kind="rescore", job_id=1).holder == "someone else"


def test_the_sweeper_requeues_each_lapsed_job_once_per_lease_period(monkeypatch):
    from imports.tasks import run_import_bulk_task

    sent = []
    monkeypatch.setattr(run_import_bulk_task, "apply_async", lambda **kwargs: sent.append(kwargs))
    leases.claim("import", 7, task=TASK)
    leases.claim("import", 8, task=TASK)
    _lapse("import", 7)

    assert leases.sweep() == 1
    assert leases.sweep() == 0  # not again until another lease period passed

    assert sent == [{"kwargs": {"job_id": 7}}]  # to the queue the task routes name (imports)
