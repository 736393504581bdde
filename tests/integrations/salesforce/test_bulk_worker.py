"""A real worker killed (SIGKILL) in the middle of an ingest job: the sweeper resumes it and every row lands once.

The kill is made deterministic with a second session that holds an uncommitted lead with the email of a row in the
second chunk: the worker's insert of that row waits on the unique index with the first chunk committed, and is
killed while it waits.
"""

from __future__ import annotations

import threading

import pytest
from django.core.files.base import ContentFile
from django.db import connection, transaction

from core.leases import is_recovering
from crm.celery import app
from integrations.salesforce.bulk import running
from integrations.salesforce.bulk.models import BulkJob, IngestResult
from leads.models import Lead
from tests.conftest import REDIS_URL
from tests.system.workers import kill, purge, start_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROWS = 300
BLOCKED_ROW = 250  # in the second chunk of CHUNK_ROWS (200)
LEASE = {"FUNNEL_LEASE_SECONDS": "3", "FUNNEL_LEASE_HEARTBEAT_SECONDS": "1"}


class _Rollback(Exception):
    pass


def send(task_name: str, *args) -> None:
    """Publish one task message to the real broker (its routed queue: imports), as beat or a closed job would."""
    app.conf.update(broker_url=REDIS_URL, task_always_eager=False, broker_transport_options={})
    try:
        app.send_task(task_name, args=list(args))
    finally:
        app.conf.update(task_always_eager=True)


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_job_is_resumed_by_the_sweeper_and_applies_every_row_once(rep, settings, tmp_path):
    # given a closed insert job of 300 leads, stored where the workers read files
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    assert running.CHUNK_ROWS == 200
    text = "LastName,Email\n" + "".join(f"Lead {n},lead{n}@bulk.example\n" for n in range(ROWS))
    job = BulkJob(kind="ingest", object_name="Lead", operation="insert", api_version="62.0", created_by=rep)
    job.data.save("data.csv", ContentFile(text.encode()), save=False)
    job.state = BulkJob.State.UPLOAD_COMPLETE
    job.save()
    purge()

    # and a second session holding an open lead with the email of row 250, uncommitted
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                Lead.objects.create(last_name="Holder", email=f"lead{BLOCKED_ROW}@bulk.example")
                holding.set()
                release.wait(60)
                raise _Rollback
        except _Rollback:
            pass
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    first = second = None
    try:
        assert holding.wait(10)
        first = start_worker("bulk-1", tmp_path, **LEASE)
        send("integrations.salesforce.bulk.tasks.run_bulk_job_bulk_task", job.pk)

        # when the worker has committed the first chunk and waits inside the second, it is killed
        assert wait_until(lambda: BulkJob.objects.get(pk=job.pk).rows_done == 200, timeout=60), first.log.read_text()
        assert wait_until(waiting_on_a_lock, timeout=30), first.log.read_text()
        kill(first)
        release.set()
        holder.join(10)
        assert BulkJob.objects.get(pk=job.pk).state == BulkJob.State.IN_PROGRESS

        # and, its lease lapsed, the lease sweeper re-queues it for another worker
        assert wait_until(lambda: is_recovering("sf-bulk", job.pk), timeout=30)
        second = start_worker("bulk-2", tmp_path, **LEASE)
        send("integrations.salesforce.bulk.tasks.run_bulk_job_bulk_task", job.pk)
        assert wait_until(lambda: BulkJob.objects.get(pk=job.pk).state == BulkJob.State.JOB_COMPLETE, timeout=60), (
            second.log.read_text()
        )
    finally:
        release.set()
        holder.join(10)
        kill(first)
        kill(second)
        purge()

    # then every row was applied exactly once and reported once
    job.refresh_from_db()
    assert (job.rows_done, job.records_processed, job.records_failed, job.attempts) == (ROWS, ROWS, 0, 2)
    names = list(Lead.objects.values_list("last_name", flat=True))
    assert sorted(names) == sorted(f"Lead {n}" for n in range(ROWS))
    assert list(IngestResult.objects.filter(job=job).values_list("row", flat=True)) == list(range(ROWS))
