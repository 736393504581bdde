"""Each long job kind: SIGKILL its worker mid-job, start another; the job is taken over and nothing is lost or doubled.

The kill point is deterministic: a second session holds a row lock the job's third chunk needs, so the worker is
killed while it waits there with two chunks committed. While no worker holds the job, its progress says it is
recovering; the sweeper re-queues it once its lease lapsed and the new worker resumes after the last chunk.
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.db.models import Count
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from activities.models import Event
from core.leases import is_recovering
from core.models import Lease
from imports.models import ImportJob
from imports.services import create_import
from integrations.salesforce.bulk import running
from integrations.salesforce.bulk.models import BulkJob, IngestResult
from integrations.salesforce.bulk.selectors import job_info
from leads.models import Lead
from nurture.models import Delivery, Enrollment
from scoring.models import ConversionModel, ScoringRule, ScoringRun
from scoring.services import explain_score
from tests.chaos import harness
from tests.chaos.harness import CHUNK, csv_file
from tests.factories import AssignmentRuleFactory
from tests.nurture.test_workers import _due_enrollments, _kick_sender, _mailed_delivery_ids
from tests.scoring.predictive_history import build_history
from tests.system.workers import kill, purge, start_worker

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def test_an_import_whose_worker_is_killed_is_taken_over_and_imports_every_row_once(
    manager, settings, tmp_path, sweeper
):
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    rows = 5 * CHUNK
    existing = Lead.objects.create(last_name="Before", email=f"row{2 * CHUNK + 5}@chaos.example")
    job = create_import(by=manager, file=csv_file(rows), enqueue=False)
    locker = harness.hold_row("leads_lead", existing.pk)  # the third chunk updates this lead
    first = second = None
    try:
        first = harness.worker("import-1", tmp_path, FUNNEL_IMPORT_CHUNK_ROWS=str(CHUNK))
        harness.send("imports.tasks.run_import_bulk_task", job_id=job.pk)
        assert harness.progressed(lambda: ImportJob.objects.get(pk=job.pk).rows_done == 2 * CHUNK, time.monotonic())

        kill(first)
        killed_at = time.monotonic()
        locker.rollback()
        client = Client()
        client.force_login(manager)
        assert harness.progressed(lambda: client.get(f"/api/v1/imports/{job.pk}/").json()["recovering"], killed_at)
        assert (
            "recovering after a worker stopped"
            in client.get(reverse("imports:progress", args=[job.pk])).content.decode()
        )

        second = harness.worker("import-2", tmp_path, FUNNEL_IMPORT_CHUNK_ROWS=str(CHUNK))
        recovery = harness.progressed(lambda: ImportJob.objects.get(pk=job.pk).rows_done > 2 * CHUNK, killed_at)
        assert recovery is not None, second.log.read_text()
        assert harness.progressed(lambda: ImportJob.objects.get(pk=job.pk).status == "done", killed_at)
    finally:
        locker.close()
        kill(first)
        kill(second)

    job.refresh_from_db()
    assert (job.rows_done, job.created, job.updated, job.failed, job.attempts) == (rows, rows - 1, 1, 0, 2)
    assert Lead.objects.count() == rows
    assert Lead.objects.filter(email__startswith="row").values("email").distinct().count() == rows
    assert not Lease.objects.exists()
    assert "took over the lease on import" in second.log.read_text()
    harness.record("CSV import", "worker SIGKILLed mid-job", recovery, f"{rows} rows, each imported once")


def test_a_rescore_whose_worker_is_killed_is_taken_over_and_every_score_is_right(tmp_path, sweeper):
    ScoringRule.objects.all().delete()
    ScoringRule.objects.create(name="German", field="country", operator="equals", value="Germany", points=30)
    ScoringRule.objects.create(name="Large", field="employees", operator="gte", value="500", points=25)
    leads = Lead.objects.bulk_create(
        Lead(
            first_name=f"L{n}", last_name="Chaos", email=f"chaos{n}@example.test", score=99, rating="hot",
            country="Germany" if n % 2 else "France", employees=1000 if n % 3 else 10,
        )
        for n in range(5 * CHUNK)
    )  # fmt: skip
    locker = harness.hold_row("leads_lead", leads[2 * CHUNK + 50].pk)
    first = second = None
    try:
        first = harness.worker("rescore-1", tmp_path, FUNNEL_RESCORE_CHUNK_SIZE=str(CHUNK))
        harness.send("scoring.tasks.rescore_all_leads_bulk_task")
        done_two = leads[2 * CHUNK - 1].pk
        assert harness.progressed(lambda: ScoringRun.objects.filter(last_id=done_two).exists(), time.monotonic())
        run = ScoringRun.objects.get()

        kill(first)
        killed_at = time.monotonic()
        locker.rollback()
        assert harness.progressed(lambda: is_recovering("rescore", run.pk), killed_at)

        second = harness.worker("rescore-2", tmp_path, FUNNEL_RESCORE_CHUNK_SIZE=str(CHUNK))
        recovery = harness.progressed(lambda: ScoringRun.objects.get(pk=run.pk).last_id > done_two, killed_at)
        assert recovery is not None, second.log.read_text()
        assert harness.progressed(lambda: ScoringRun.objects.get(pk=run.pk).status == "done", killed_at)
    finally:
        locker.close()
        kill(first)
        kill(second)

    run.refresh_from_db()
    assert run.leads_changed == len(leads)  # every lead counted once: no chunk was applied twice
    for lead in Lead.objects.order_by("pk"):
        expected = explain_score(lead)
        assert (lead.score, lead.rating) == (expected["score"], expected["rating"]), lead.pk
    harness.record("Bulk rescoring", "worker SIGKILLed mid-job", recovery, f"{len(leads)} scores right, counted once")


class _Rollback(Exception):
    pass


def _hold_new_lead(email: str, holding: threading.Event, release: threading.Event) -> None:
    """A second session inserting a lead with this email and keeping it uncommitted: an insert of it waits."""
    try:
        with transaction.atomic():
            Lead.objects.create(last_name="Holder", email=email)
            holding.set()
            release.wait(60)
            raise _Rollback
    except _Rollback:
        pass
    finally:
        connection.close()


def test_a_salesforce_bulk_job_whose_worker_is_killed_is_taken_over_and_applies_every_row_once(
    rep, settings, tmp_path, sweeper
):
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    rows, chunk = 3 * running.CHUNK_ROWS, running.CHUNK_ROWS
    text = "LastName,Email\n" + "".join(f"Lead {n},lead{n}@bulk.example\n" for n in range(rows))
    job = BulkJob(kind="ingest", object_name="Lead", operation="insert", api_version="62.0", created_by=rep)
    job.data.save("data.csv", ContentFile(text.encode()), save=False)
    job.state = BulkJob.State.UPLOAD_COMPLETE
    job.save()
    holding, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=_hold_new_lead, args=(f"lead{chunk + 50}@bulk.example", holding, release))
    holder.start()
    first = second = None
    try:
        assert holding.wait(10)
        first = harness.worker("bulk-1", tmp_path)
        harness.send("integrations.salesforce.bulk.tasks.run_bulk_job_bulk_task", job_id=job.pk)
        assert harness.progressed(lambda: BulkJob.objects.get(pk=job.pk).rows_done == chunk, time.monotonic())

        kill(first)
        killed_at = time.monotonic()
        release.set()
        holder.join(10)
        assert harness.progressed(lambda: is_recovering("sf-bulk", job.pk), killed_at)
        assert (
            job_info(BulkJob.objects.get(pk=job.pk))["errorMessage"] == "InProgress: recovering after a worker stopped"
        )

        second = harness.worker("bulk-2", tmp_path)
        recovery = harness.progressed(lambda: BulkJob.objects.get(pk=job.pk).rows_done > chunk, killed_at)
        assert recovery is not None, second.log.read_text()
        done = BulkJob.State.JOB_COMPLETE
        assert harness.progressed(lambda: BulkJob.objects.get(pk=job.pk).state == done, killed_at)
    finally:
        release.set()
        holder.join(10)
        kill(first)
        kill(second)

    job.refresh_from_db()
    assert (job.rows_done, job.records_processed, job.records_failed, job.attempts) == (rows, rows, 0, 2)
    assert sorted(Lead.objects.values_list("last_name", flat=True)) == sorted(f"Lead {n}" for n in range(rows))
    assert list(IngestResult.objects.filter(job=job).values_list("row", flat=True)) == list(range(rows))
    harness.record(
        "Salesforce bulk job", "worker SIGKILLed mid-job", recovery, f"{rows} rows applied and reported once"
    )


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_training_whose_worker_is_killed_is_taken_over_and_stores_one_model(tmp_path, sweeper):
    build_history(220, signal=True, open_leads=10)
    locker = connections.create_connection("default")
    locker.set_autocommit(False)
    with locker.cursor() as cursor:  # the model table locked: the training waits to store its result
        cursor.execute("LOCK TABLE scoring_conversionmodel IN ACCESS EXCLUSIVE MODE")
    first = second = None
    try:
        first = harness.worker("train-1", tmp_path)
        harness.send("scoring.tasks.train_conversion_model_task")
        assert harness.progressed(_waiting_on_a_lock, time.monotonic()), first.log.read_text()

        kill(first)
        killed_at = time.monotonic()
        locker.rollback()
        assert harness.progressed(lambda: is_recovering("training", 0), killed_at)

        second = harness.worker("train-2", tmp_path)
        recovery = harness.progressed(lambda: ConversionModel.objects.exists(), killed_at)
        assert recovery is not None, second.log.read_text()
        predicted = Lead.objects.open().filter(conversion_probability__isnull=False)
        assert harness.progressed(lambda: predicted.count() == 10 and not Lease.objects.exists(), killed_at)
    finally:
        locker.close()
        kill(first)
        kill(second)

    assert list(ConversionModel.objects.values_list("version", "is_active")) == [(1, True)]
    harness.record(
        "Model training", "worker SIGKILLed mid-job", recovery, "one model stored, every open lead predicted"
    )


def test_a_nurture_sender_killed_mid_batch_never_sends_a_step_twice_and_the_next_tick_sends_the_rest(tmp_path):
    _due_enrollments(150, steps=1)
    purge()
    mail = {"EMAIL_BACKEND": "tests.nurture.backends.SlowFileBackend", "FUNNEL_NURTURE_BATCH_SIZE": "20"}
    first = second = None
    try:
        first = start_worker("nurture-1", tmp_path, **mail, FUNNEL_TEST_SEND_DELAY="0.03")
        _kick_sender(1)
        sent = Delivery.objects.filter(status="sent")
        assert harness.progressed(
            lambda: sent.count() >= 30 and Delivery.objects.filter(status="sending").exists(), time.monotonic()
        )
        kill(first)  # mid-batch: some of its claimed deliveries are still "sending"
        killed_at, sent_at_kill = time.monotonic(), sent.count()

        second = start_worker("nurture-2", tmp_path, **mail, FUNNEL_TEST_SEND_DELAY="0.002")
        _kick_sender(1)  # beat's next tick (every 30 s in production)
        recovery = harness.progressed(lambda: sent.count() > sent_at_kill, killed_at)
        assert recovery is not None, second.log.read_text()
        assert harness.progressed(lambda: not Enrollment.objects.filter(status="active").exists(), killed_at)
        time.sleep(0.5)  # let the last confirmations land
    finally:
        kill(first)
        kill(second)

    mailed = _mailed_delivery_ids(tmp_path / "var" / "mail")
    assert max(mailed.values()) == 1  # at most once, everywhere
    assert Delivery.objects.count() == 150
    stuck = set(Delivery.objects.filter(status="sending").values_list("pk", flat=True))
    assert set(sent.values_list("pk", flat=True)) <= set(mailed) and len(stuck) <= 20
    harness.record(
        "Nurture batch", "worker SIGKILLed mid-batch", recovery,
        "each email at most once; unconfirmed ones left for 'unknown' (+ up to 30 s until beat's next tick)",
    )  # fmt: skip


def test_a_bulk_assignment_whose_worker_is_killed_is_finished_by_the_next_tick_and_assigns_each_lead_once(
    rep, tmp_path
):
    AssignmentRuleFactory(name="Everyone")
    leads = Lead.objects.bulk_create(Lead(last_name=f"A{n}", email=f"assign{n}@chaos.example") for n in range(300))
    Lead.objects.update(created_at=timezone.now() - timedelta(minutes=5))  # older than the sweep's minute
    purge()
    locker = connections.create_connection("default")
    locker.set_autocommit(False)
    with locker.cursor() as cursor:  # the rules locked: the pass waits in its first chunk
        cursor.execute("SELECT id FROM leads_assignmentrule FOR UPDATE")
    first = second = None
    try:
        first = harness.worker("assign-1", tmp_path)
        harness.send("assignment.tasks.assign_unassigned_leads_task")
        assert harness.progressed(_waiting_on_a_lock, time.monotonic()), first.log.read_text()

        kill(first)
        killed_at = time.monotonic()
        locker.rollback()

        second = harness.worker("assign-2", tmp_path)
        harness.send("assignment.tasks.assign_unassigned_leads_task")  # beat's next tick (every 30 s)
        owned = Lead.objects.filter(owner__isnull=False)
        recovery = harness.progressed(owned.exists, killed_at)
        assert recovery is not None, second.log.read_text()
        assert harness.progressed(lambda: owned.count() == len(leads), killed_at)
    finally:
        locker.close()
        kill(first)
        kill(second)

    assert set(Lead.objects.values_list("owner", flat=True)) == {rep.pk}
    per_lead = Event.objects.filter(kind="assigned").values("lead").annotate(n=Count("id"))
    assert sorted(row["n"] for row in per_lead) == [1] * len(leads)  # one assignment event per lead
    harness.record(
        "Bulk assignment", "worker SIGKILLed mid-pass", recovery,
        f"{len(leads)} leads assigned once, one event each (+ up to 30 s until beat's next tick)",
    )  # fmt: skip
