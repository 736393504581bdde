"""A worker killed with SIGKILL in the middle of a bulk rescore: after a restart the run resumes and every score is right.

The kill is made deterministic by holding a row lock on one lead of the third chunk: the worker's rescore
blocks there with two chunks committed, and is killed while it waits. (Nurture's SIGKILL mid-batch is in
tests/nurture/test_workers.py.)
"""

from __future__ import annotations

import pytest
from django.db import connections

from core.leases import is_recovering
from leads.models import Lead
from scoring.models import ScoringRule, ScoringRun
from scoring.services import explain_score
from tests.system.workers import kill, purge, send, start_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

CHUNK = 60
LEASE = {"FUNNEL_LEASE_SECONDS": "3", "FUNNEL_LEASE_HEARTBEAT_SECONDS": "1"}


def test_a_worker_killed_mid_rescore_resumes_after_restart_and_every_score_is_right(tmp_path):
    # given: 300 leads whose stored scores are all wrong for the current rules
    ScoringRule.objects.all().delete()
    ScoringRule.objects.create(name="German", field="country", operator="equals", value="Germany", points=30)
    ScoringRule.objects.create(name="Large", field="employees", operator="gte", value="500", points=25)
    leads = Lead.objects.bulk_create(
        Lead(
            first_name=f"L{n}", last_name="Crash", email=f"crash{n}@example.test", score=99, rating="hot",
            country="Germany" if n % 2 else "France", employees=1000 if n % 3 else 10,
        )
        for n in range(300)
    )  # fmt: skip
    blocker = leads[2 * CHUNK + 50]
    purge()
    locker = connections.create_connection("default")
    first = second = None
    try:
        with locker.cursor() as cursor:  # a second session holds one lead of the third chunk
            locker.set_autocommit(False)
            cursor.execute("SELECT id FROM leads_lead WHERE id = %s FOR UPDATE", [blocker.pk])

        first = start_worker("rescore-1", tmp_path, **LEASE, FUNNEL_RESCORE_CHUNK_SIZE=str(CHUNK))
        send("scoring.tasks.rescore_all_leads_bulk_task")
        assert wait_until(
            lambda: ScoringRun.objects.filter(status="running", last_id=leads[2 * CHUNK - 1].pk).exists(), timeout=30
        ), first.log.read_text()

        kill(first)  # mid-run: two chunks committed, the third in flight
        locker.rollback()
        run = ScoringRun.objects.get()
        assert run.status == ScoringRun.Status.RUNNING and run.last_id < run.max_id

        # the killed worker's lease on the run lapses (the lease sweeper would re-queue it then: tests/chaos)
        assert wait_until(lambda: is_recovering("rescore", run.pk), timeout=30)
        second = start_worker("rescore-2", tmp_path, **LEASE, FUNNEL_RESCORE_CHUNK_SIZE=str(CHUNK))
        send("scoring.tasks.rescore_all_leads_bulk_task")  # the next beat tick or a manual restart
        assert wait_until(lambda: ScoringRun.objects.filter(status="done").exists(), timeout=30), second.log.read_text()
    finally:
        locker.close()
        kill(first)
        kill(second)

    # then: the crashed run was resumed (not restarted), and every lead has the score its rules give
    assert ScoringRun.objects.get().pk == run.pk
    assert "resuming scoring run" in second.log.read_text()
    for lead in Lead.objects.order_by("pk"):
        expected = explain_score(lead)
        assert (lead.score, lead.rating) == (expected["score"], expected["rating"]), lead.pk
    assert set(Lead.objects.values_list("score", flat=True)) == {0, 25, 30, 55}
