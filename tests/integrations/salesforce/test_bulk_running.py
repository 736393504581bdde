"""Running ingest jobs on a worker: chunks committed with their position, resumed after a crash, exactly once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from core.leases import claim, is_recovering
from core.models import Lease
from integrations.salesforce import records
from integrations.salesforce.bulk import running, tasks
from integrations.salesforce.bulk.models import BulkJob, IngestResult
from integrations.salesforce.bulk.running import apply_chunk, claim_job, plan_columns, run_job
from integrations.salesforce.ids import to_sf_id
from leads.models import Lead


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(running, "CHUNK_ROWS", 2)


def closed_job(user, text: str, **fields) -> BulkJob:
    defaults = {"object_name": "Lead", "operation": "insert", "state": BulkJob.State.UPLOAD_COMPLETE}
    job = BulkJob(kind=BulkJob.Kind.INGEST, api_version="62.0", created_by=user, **{**defaults, **fields})
    job.data.save("data.csv", ContentFile(text.encode()), save=False)
    job.save()
    return job


def five_leads() -> str:
    return "LastName,Company\n" + "".join(f"Lead {n},Co {n}\n" for n in range(1, 6))


def make_stale(job: BulkJob) -> None:
    BulkJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - running.STALE_AFTER - timedelta(seconds=1))


def test_a_run_killed_inside_a_chunk_resumes_after_the_last_committed_chunk_without_duplicates(
    rep, small_chunks, monkeypatch
):
    # given a job whose worker committed its first chunk and died inside the second one
    job = closed_job(rep, five_leads())
    create = records.create_record
    calls = []

    def dies_on_the_fourth_row(sobject, data, *, by):
        calls.append(data["LastName"])
        if len(calls) == 4:
            raise SystemExit("worker lost")
        return create(sobject, data, by=by)

    monkeypatch.setattr(records, "create_record", dies_on_the_fourth_row)
    with pytest.raises(SystemExit):
        run_job(job.pk)
    job.refresh_from_db()
    assert (job.state, job.rows_done) == ("InProgress", 2)
    assert sorted(Lead.objects.values_list("last_name", flat=True)) == ["Lead 1", "Lead 2"]
    assert IngestResult.objects.filter(job=job).count() == 2

    # when its lease has lapsed (the lease sweeper re-queues it) and a new run takes it
    monkeypatch.setattr(records, "create_record", create)
    assert is_recovering("sf-bulk", job.pk)
    run_job(job.pk)

    # then every row was applied exactly once, and reported once
    job.refresh_from_db()
    assert (job.state, job.rows_done, job.records_processed, job.attempts) == ("JobComplete", 5, 5, 2)
    assert sorted(Lead.objects.values_list("last_name", flat=True)) == [f"Lead {n}" for n in range(1, 6)]
    assert list(IngestResult.objects.filter(job=job).values_list("row", flat=True)) == [0, 1, 2, 3, 4]


def test_a_chunk_that_raises_midway_leaves_nothing_of_itself(rep, monkeypatch):
    job = closed_job(rep, five_leads())
    assert claim_job(job.pk)
    plan = plan_columns(job, ["LastName", "Company"])
    create = records.create_record

    def breaks_on_c(sobject, data, *, by):
        if data["LastName"] == "C":
            raise RuntimeError("worker lost")
        return create(sobject, data, by=by)

    monkeypatch.setattr(records, "create_record", breaks_on_c)
    with pytest.raises(RuntimeError):
        apply_chunk(job.pk, 0, [["A", "X"], ["B", "Y"], ["C", "Z"]], plan, by=rep, attempt=1)

    job.refresh_from_db()
    assert job.rows_done == 0
    assert not Lead.objects.exists()
    assert not IngestResult.objects.exists()


def test_a_chunk_from_a_position_another_run_already_committed_writes_nothing(rep):
    job = closed_job(rep, five_leads())
    assert claim_job(job.pk)
    plan = plan_columns(job, ["LastName", "Company"])
    assert apply_chunk(job.pk, 0, [["A", "X"]], plan, by=rep, attempt=1)

    repeated = apply_chunk(job.pk, 0, [["A", "X"]], plan, by=rep, attempt=1)

    assert repeated is False
    assert Lead.objects.count() == 1


def test_a_running_job_is_not_run_twice_and_a_finished_one_not_rerun(rep):
    job = closed_job(rep, five_leads())
    assert claim("sf-bulk", job.pk, task=running.BULK_JOB_TASK)  # a live worker holds it
    assert run_job(job.pk) is None
    Lease.objects.filter(kind="sf-bulk", job_id=job.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    run_job(job.pk)

    assert run_job(job.pk) is None
    assert Lead.objects.count() == 5


def test_an_abort_stops_the_run_before_its_next_chunk(rep, small_chunks, monkeypatch):
    job = closed_job(rep, five_leads())
    create = records.create_record

    def abort_after_the_second_row(sobject, data, *, by):
        instance = create(sobject, data, by=by)
        if data["LastName"] == "Lead 2":
            BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.ABORTED)
        return instance

    monkeypatch.setattr(records, "create_record", abort_after_the_second_row)
    run_job(job.pk)

    job.refresh_from_db()
    assert (job.state, job.rows_done) == ("Aborted", 2)
    assert Lead.objects.count() == 2


def test_an_unexpected_error_fails_the_job_saying_where(rep, small_chunks, monkeypatch):
    job = closed_job(rep, five_leads())
    create = records.create_record

    def breaks_on_the_third_row(sobject, data, *, by):
        if data["LastName"] == "Lead 3":
            raise KeyError("surprise")
        return create(sobject, data, by=by)

    monkeypatch.setattr(records, "create_record", breaks_on_the_third_row)
    with pytest.raises(KeyError):
        run_job(job.pk)

    job.refresh_from_db()
    assert job.state == "Failed"
    assert job.error_message == "InternalServerError : processing stopped at row 3 (KeyError)."
    assert job.rows_done == 2


def test_the_sweeper_requeues_jobs_whose_kick_got_lost_only(rep, monkeypatch):
    lost = closed_job(rep, five_leads())
    stopped = closed_job(rep, five_leads(), state=BulkJob.State.IN_PROGRESS)
    fresh = closed_job(rep, five_leads())
    done = closed_job(rep, five_leads(), state=BulkJob.State.JOB_COMPLETE)
    for job in (lost, stopped, done):
        make_stale(job)
    kicked = []
    monkeypatch.setattr(tasks.run_bulk_job_bulk_task, "delay", kicked.append)

    tasks.sweep_bulk_jobs_bulk_task()

    assert kicked == [lost.pk]  # a stopped worker's job is the lease sweeper's (core.leases)
    assert fresh.pk not in kicked


def test_the_sweeper_deletes_jobs_idle_for_a_week_with_their_files(rep, settings, django_capture_on_commit_callbacks):
    old = closed_job(rep, five_leads(), state=BulkJob.State.JOB_COMPLETE)
    queued = closed_job(rep, five_leads())
    recent = closed_job(rep, five_leads(), state=BulkJob.State.FAILED)
    week_ago = timezone.now() - running.KEEP_JOBS - timedelta(minutes=1)
    BulkJob.objects.filter(pk__in=[old.pk, queued.pk]).update(updated_at=week_ago)

    with django_capture_on_commit_callbacks(execute=True):
        purged = running.purge_old_jobs()

    assert purged == 1
    assert set(BulkJob.objects.values_list("pk", flat=True)) == {queued.pk, recent.pk}
    assert sorted(path.name for path in settings.MEDIA_ROOT.rglob("*.csv")) == sorted(
        [queued.data.name.rsplit("/", 1)[-1], recent.data.name.rsplit("/", 1)[-1]]
    )


def test_upsert_by_id_updates_rows_with_an_id_and_inserts_the_others(rep):
    lead = Lead.objects.create(last_name="Before", owner=rep)
    job = closed_job(
        rep, f"Id,LastName\n{to_sf_id('Lead', lead.pk)},After\n,Brand New\n", operation="upsert", external_id_field="Id"
    )

    run_job(job.pk)

    lead.refresh_from_db()
    assert lead.last_name == "After"
    assert list(IngestResult.objects.filter(job=job).values_list("created", flat=True)) == [False, True]


@pytest.mark.parametrize(
    ("operation", "text", "message"),
    [
        ("update", "LastName\nA\n", "The CSV has no Id column, which a update job needs."),
        ("delete", "Id,LastName\nx,A\n", "A delete job's CSV has one column: Id."),
        ("insert", "LastName,lastname\nA,B\n", "Duplicate field name : lastname"),
        ("insert", "LastName,\nA,B\n", "Column 2 of the header is empty."),
    ],
)
def test_a_header_that_does_not_fit_the_operation_fails_the_job(rep, operation, text, message):
    job = closed_job(rep, text, operation=operation)

    run_job(job.pk)

    job.refresh_from_db()
    assert (job.state, job.error_message) == ("Failed", f"InvalidBatch : {message}")
    assert not Lead.objects.filter(last_name__in=["A", "B"]).exists()


def test_a_row_with_the_wrong_number_of_cells_fails_alone(rep):
    job = closed_job(rep, "LastName,Company\nA,X\nB\nC,Z,extra\n")

    run_job(job.pk)

    errors = list(IngestResult.objects.filter(job=job).values_list("error", flat=True))
    assert errors[0] == ""
    assert errors[1].startswith("INVALID_FIELD:The row has 1 fields; the header has 2.")
    assert errors[2].startswith("INVALID_FIELD:The row has 3 fields")
    assert list(Lead.objects.values_list("last_name", flat=True)) == ["A"]


def test_a_malformed_csv_fails_the_job_where_it_breaks_after_the_chunks_before(rep, small_chunks):
    job = closed_job(rep, 'LastName\nA\nB\nC\n"unterminated\n')

    run_job(job.pk)

    job.refresh_from_db()
    assert job.state == "Failed"
    assert job.error_message.startswith("InvalidBatch : The CSV is malformed after data row 3:")
    assert (job.rows_done, sorted(Lead.objects.values_list("last_name", flat=True))) == (2, ["A", "B"])


def test_a_slow_run_that_the_sweeper_gave_to_another_run_stops_and_leaves_the_job_to_it(rep, small_chunks, monkeypatch):
    job = closed_job(rep, five_leads())
    create = records.create_record

    def taken_over_during_the_first_chunk(sobject, data, *, by):
        if data["LastName"] == "Lead 1":  # the sweeper hands the job to a second run meanwhile
            BulkJob.objects.filter(pk=job.pk).update(attempts=2)
        return create(sobject, data, by=by)

    monkeypatch.setattr(records, "create_record", taken_over_during_the_first_chunk)
    run_job(job.pk)

    job.refresh_from_db()
    assert (job.state, job.rows_done, job.finished_at) == ("InProgress", 2, None)
    assert Lead.objects.count() == 2
