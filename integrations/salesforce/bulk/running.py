"""Running a closed Bulk API 2.0 job on a worker: claim it, apply its CSV chunk by chunk, exactly once.

- A run holds the job's lease (core.leases) and claims it (UploadComplete -> InProgress, or an InProgress job
  whose worker stopped: its lease lapsed and the lease sweeper re-queued it), so two deliveries of the same kick
  never run it side by side.
- Each chunk of CHUNK_ROWS rows is one transaction that applies its rows through the records' services (each row
  in its own savepoint: a row's error fails only that row), stores one result per row and moves the job's
  position, under the job's row lock and only if the position is still the one the chunk started from. A run cut
  short resumes after the last committed chunk and never applies a row twice.
- An aborted job stops before its next chunk; a CSV whose header names no field of the object fails the job
  before any row is applied, saying which column; an unexpected error fails the job at the row it reached.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from itertools import islice

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from core import leases
from core.exceptions import ApplicationError
from integrations.salesforce import records
from integrations.salesforce.bulk.csvfiles import invalid_batch, read_rows
from integrations.salesforce.bulk.models import BulkJob, IngestResult
from integrations.salesforce.bulk.querying import run_query
from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.ids import to_sf_id
from integrations.salesforce.mapping import Field, SObject
from integrations.salesforce.objects import get_sobject
from users.models import User

logger = logging.getLogger(__name__)

# Salesforce applies ingest data in chunks of 200 records; each of ours is one transaction of that many rows.
CHUNK_ROWS = 200
# A closed job nobody picked up this long after its last change lost its kick (the broker was down): re-queued.
STALE_AFTER = timedelta(minutes=5)
BULK_JOB_TASK = "integrations.salesforce.bulk.tasks.run_bulk_job_bulk_task"
# As Salesforce: a job that is not queued or running is deleted, with its files and results, a week after it last
# changed.
KEEP_JOBS = timedelta(days=7)
# The cell that sets a field to null (an empty cell leaves the field as it is), as in Salesforce.
NULL_CELL = "#N/A"


@dataclass(frozen=True)
class Plan:
    """How a job's CSV columns map onto the object: the data columns, and the key column (Id or external id)."""

    sobject: SObject
    operation: str
    width: int
    columns: tuple[tuple[int, Field], ...]
    key_index: int | None
    key_name: str | None


def plan_columns(job: BulkJob, header: list[str]) -> Plan:
    """Check the header against the object and the operation.

    Raises:
        SalesforceError: a column that names no field, a repeated column, or the key column missing.
    """
    sobject = get_sobject(job.object_name)
    seen: dict[str, int] = {}
    columns: list[tuple[int, Field]] = []
    for index, name in enumerate(header):
        if not name:
            raise invalid_batch(f"Column {index + 1} of the header is empty.")
        try:
            field = sobject.field(name)
        except SalesforceError:
            raise invalid_batch(f"Field name not found : {name}") from None
        if field.name in seen:
            raise invalid_batch(f"Duplicate field name : {name}")
        seen[field.name] = index
        columns.append((index, field))
    key_name = {"update": "Id", "delete": "Id", "upsert": job.external_id_field}.get(job.operation)
    key_index = seen.get(key_name) if key_name else None
    if key_name and key_index is None:
        raise invalid_batch(f"The CSV has no {key_name} column, which a {job.operation} job needs.")
    if job.operation == "delete" and len(header) != 1:
        raise invalid_batch("A delete job's CSV has one column: Id.")
    data_columns = tuple((index, field) for index, field in columns if index != key_index)
    return Plan(sobject, job.operation, len(header), data_columns, key_index, key_name)


def list_stale_jobs() -> list[int]:
    """Ids of closed jobs whose kick got lost; a running job whose worker stopped is the lease sweeper's."""
    stale = timezone.now() - STALE_AFTER
    return list(
        BulkJob.objects.filter(state=BulkJob.State.UPLOAD_COMPLETE, updated_at__lt=stale).values_list("pk", flat=True)
    )


def purge_old_jobs(*, now=None) -> int:
    """Delete jobs (with their results, then their files after commit) that did not change for KEEP_JOBS."""
    cutoff = (now or timezone.now()) - KEEP_JOBS
    idle = Q(updated_at__lt=cutoff) & ~Q(state__in=[BulkJob.State.UPLOAD_COMPLETE, BulkJob.State.IN_PROGRESS])
    purged = 0
    for job_id in BulkJob.objects.filter(idle).values_list("pk", flat=True):
        with transaction.atomic():
            job = BulkJob.objects.select_for_update().filter(idle, pk=job_id).first()
            if job is None:
                continue
            files = [(field.storage, field.name) for field in (job.data, job.result) if field]
            job.delete()
            transaction.on_commit(lambda files=files: [storage.delete(name) for storage, name in files])
            purged += 1
    return purged


def claim_job(job_id: int) -> bool:
    """Take a closed job, or a running one whose worker stopped; the caller holds the job's lease."""
    now = timezone.now()
    claimable = [BulkJob.State.UPLOAD_COMPLETE, BulkJob.State.IN_PROGRESS]
    job = BulkJob.objects.filter(pk=job_id, state__in=claimable).first()
    if job is None:
        return False
    return bool(
        BulkJob.objects.filter(pk=job_id, state=job.state, attempts=job.attempts).update(
            state=BulkJob.State.IN_PROGRESS,
            started_at=job.started_at or now,
            attempts=job.attempts + 1,
            updated_at=now,
        )
    )


def run_job(job_id: int) -> BulkJob | None:
    """Run a claimable job to its end from its last committed chunk, holding its lease; None when another run has it."""
    with leases.holding("sf-bulk", job_id, task=BULK_JOB_TASK) as held:
        if held is None or not claim_job(job_id):
            return None
        return _run_claimed(job_id, held)
    return None  # the lease passed to another worker mid-run


def _run_claimed(job_id: int, held: leases.Held) -> BulkJob | None:
    job = BulkJob.objects.select_related("created_by").get(pk=job_id)
    try:
        completed = run_query(job) if job.is_query else _run_ingest(job, held)
    except SalesforceError as exc:
        _finish(job, BulkJob.State.FAILED, exc.message)
    except (leases.LeaseLost, *leases.DATABASE_ERRORS):
        raise  # another worker has the job now, or will take it over once the database is back
    except Exception as exc:
        logger.exception("bulk job %s failed", job_id)
        position = BulkJob.objects.filter(pk=job_id).values_list("rows_done", flat=True).first()
        where = f" at row {position + 1}" if position is not None and not job.is_query else ""
        _finish(job, BulkJob.State.FAILED, f"InternalServerError : processing stopped{where} ({type(exc).__name__}).")
        raise
    else:
        if completed:
            _finish(job, BulkJob.State.JOB_COMPLETE)
    return BulkJob.objects.filter(pk=job_id).first()


def _finish(job: BulkJob, state: str, message: str = "") -> None:
    """End this run's job; an aborted or deleted one, or one another run has taken over, stays as it is."""
    now = timezone.now()
    BulkJob.objects.filter(pk=job.pk, state=BulkJob.State.IN_PROGRESS, attempts=job.attempts).update(
        state=state, error_message=message[:500], finished_at=now, updated_at=now
    )


def _run_ingest(job: BulkJob, held: leases.Held | None = None) -> bool:
    """Apply the rows after the committed ones; False when the run stopped (aborted, or another run took over)."""
    header, rows = read_rows(job.data.path, job.column_delimiter)
    plan = plan_columns(job, header)
    position = job.rows_done
    if sum(1 for _ in islice(rows, position)) != position:
        raise invalid_batch("The file is shorter than the progress recorded.")
    while chunk := list(islice(rows, CHUNK_ROWS)):
        if not apply_chunk(job.pk, position, chunk, plan, by=job.created_by, attempt=job.attempts, held=held):
            return False
        position += len(chunk)
    return True


@transaction.atomic
def apply_chunk(
    job_id: int,
    start: int,
    chunk: list[list[str]],
    plan: Plan,
    *,
    by: User,
    attempt: int,
    held: leases.Held | None = None,
) -> bool:
    """Apply rows `start`… of a running job with their results and the new position, in one transaction.

    False (and nothing written) when the job is no longer running, or no longer in run `attempt` (a sweeper gave it
    to another run while this one was slow), or its position moved.
    """
    job = BulkJob.objects.select_for_update().filter(pk=job_id).first()
    if job is None or job.state != BulkJob.State.IN_PROGRESS or job.attempts != attempt or job.rows_done != start:
        return False
    results = []
    failed = 0
    for offset, row in enumerate(chunk):
        record_id, created, error = apply_row(plan, row, by=by)
        failed += bool(error)
        results.append(
            IngestResult(job_id=job_id, row=start + offset, record_id=record_id, created=created, error=error)
        )
    IngestResult.objects.bulk_create(results)
    job.rows_done = start + len(chunk)
    job.records_processed += len(chunk)
    job.records_failed += failed
    job.save(update_fields=["rows_done", "records_processed", "records_failed", "updated_at"])
    if held is not None:
        held.renew()  # last: the chunk commits only while this worker still holds the job
    return True


def apply_row(plan: Plan, row: list[str], *, by: User) -> tuple[str, bool, str]:
    """Apply one CSV row in its own savepoint; return (record id, created, error) — error empty on success."""
    if len(row) != plan.width:
        return "", False, f"INVALID_FIELD:The row has {len(row)} fields; the header has {plan.width}.: --"
    try:
        with transaction.atomic():
            pk, created = _write(plan, row, by)
    except SalesforceError as exc:
        return "", False, _error_text(exc.error_code, exc.message, exc.fields)
    except (ApplicationError, DjangoValidationError) as exc:
        return "", False, _error_text("FIELD_CUSTOM_VALIDATION_EXCEPTION", _message(exc), [])
    except (IntegrityError, DataError) as exc:
        return (
            "",
            False,
            _error_text("UNKNOWN_EXCEPTION", f"The row was refused by the database ({exc.__class__.__name__}).", []),
        )
    return to_sf_id(plan.sobject.name, pk), created, ""


def _write(plan: Plan, row: list[str], by: User) -> tuple[int, bool]:
    """Apply one row; return the record's pk and whether it was created."""
    sobject = plan.sobject
    data = {
        field.name: None if row[index] == NULL_CELL else row[index] for index, field in plan.columns if row[index] != ""
    }
    key = row[plan.key_index].strip() if plan.key_index is not None else ""
    if plan.operation == "insert" or (plan.operation == "upsert" and plan.key_name == "Id" and not key):
        return records.create_record(sobject, data, by=by).pk, True
    if plan.operation in ("update", "delete") or plan.key_name == "Id":
        if not key:
            raise SalesforceError("MISSING_ARGUMENT", "Id not specified in an update call", fields=["Id"])
        instance = records.get_visible(sobject, key, by)
        pk = instance.pk
        if plan.operation == "delete":
            records.delete_record(sobject, instance, by=by)
        else:
            records.update_record(sobject, instance, data, by=by)
        return pk, False
    if not key:
        raise SalesforceError("MISSING_ARGUMENT", f"{plan.key_name} not specified", fields=[plan.key_name])
    instance, created = records.upsert_record(sobject, plan.key_name, key, data, by=by)
    return instance.pk, created


def _error_text(code: str, message: str, fields) -> str:
    """Salesforce's sf__Error cell: CODE:message:fields --"""
    return f"{code}:{message}:{','.join(fields)} --"


def _message(exc: Exception) -> str:
    if isinstance(exc, DjangoValidationError):
        return " ".join(exc.messages)
    return str(exc)
