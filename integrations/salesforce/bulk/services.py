"""Writes of Bulk API 2.0 jobs as a client drives them: create, upload the CSV, close, abort, delete.

The state machine (Salesforce's):
- ingest: Open -> (upload once) -> UploadComplete -> InProgress -> JobComplete | Failed;
- query: UploadComplete (created so, the query checked) -> InProgress -> JobComplete | Failed;
- Aborted from Open, UploadComplete or InProgress: the rows committed so far stay, the others are unprocessed;
- a job is deleted (with its files and results) once it no longer runs: UploadComplete, JobComplete, Failed,
  Aborted. Any other move answers 409 INVALIDJOBSTATE and changes nothing.
Closing a job queues its run on the imports queue (long jobs) after commit; a lost kick is repaired by the sweeper.
"""

from __future__ import annotations

from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from integrations.salesforce import errors
from integrations.salesforce.bulk.csvfiles import DELIMITERS, LINE_ENDINGS, receive_upload
from integrations.salesforce.bulk.models import BulkJob
from integrations.salesforce.bulk.querying import check_query
from integrations.salesforce.bulk.tasks import run_bulk_job_bulk_task
from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.objects import SOBJECTS, get_sobject
from users.models import User

INGEST_OPERATIONS = ("insert", "update", "upsert", "delete")
QUERY_OPERATIONS = ("query", "queryAll")
# User is read-only through this API.
INGEST_OBJECTS = tuple(name for name in SOBJECTS if name != "User")
DELETABLE_STATES = (
    BulkJob.State.UPLOAD_COMPLETE,
    BulkJob.State.JOB_COMPLETE,
    BulkJob.State.FAILED,
    BulkJob.State.ABORTED,
)
ABORTABLE_STATES = (BulkJob.State.OPEN, BulkJob.State.UPLOAD_COMPLETE, BulkJob.State.IN_PROGRESS)


def invalid_job(message: str) -> SalesforceError:
    return SalesforceError("INVALIDJOB", f"InvalidJob : {message}")


def invalid_job_state(message: str) -> SalesforceError:
    return SalesforceError("INVALIDJOBSTATE", f"InvalidJobState : {message}", status=409)


def _choice(payload: dict, key: str, allowed, default: str) -> str:
    value = payload.get(key, default)
    if value is None:
        value = default
    if not isinstance(value, str) or value not in allowed:
        raise invalid_job(f"{key} must be one of {', '.join(allowed)}; got {value!r}.")
    return value


def _common_options(payload: Any) -> dict:
    if not isinstance(payload, dict):
        raise errors.json_parser_error("The request body must be a JSON object.")
    content_type = payload.get("contentType", "CSV")
    if content_type not in ("CSV", None):
        raise invalid_job(f"contentType must be CSV; got {content_type!r}.")
    return {
        "line_ending": _choice(payload, "lineEnding", tuple(LINE_ENDINGS), "LF"),
        "column_delimiter": _choice(payload, "columnDelimiter", tuple(DELIMITERS), "COMMA"),
    }


@transaction.atomic
def create_ingest_job(payload: Any, *, by: User, api_version: str) -> BulkJob:
    """Open an ingest job from the client's JSON (object, operation, externalIdFieldName, lineEnding, columnDelimiter).

    Raises:
        SalesforceError: a missing or unsupported object, operation, delimiter or line ending; upsert without a
            usable externalIdFieldName.
    """
    options = _common_options(payload)
    operation = payload.get("operation")
    if operation not in INGEST_OPERATIONS:
        raise invalid_job(f"operation must be one of {', '.join(INGEST_OPERATIONS)}; got {operation!r}.")
    name = payload.get("object")
    if not isinstance(name, str) or not name:
        raise invalid_job("object is required, e.g. Lead.")
    try:
        sobject = get_sobject(name)
    except SalesforceError:
        raise SalesforceError("INVALIDENTITY", f"InvalidEntity : sObject type '{name}' is not supported.") from None
    if sobject.name not in INGEST_OBJECTS:
        raise SalesforceError("INVALIDENTITY", f"InvalidEntity : {sobject.name} records are read-only in this API.")
    external_id = payload.get("externalIdFieldName") or ""
    if operation == "upsert":
        external_id = _upsert_key(sobject, external_id)
    elif external_id:
        raise invalid_job("externalIdFieldName is only for upsert jobs.")
    job = BulkJob(
        kind=BulkJob.Kind.INGEST,
        object_name=sobject.name,
        operation=operation,
        external_id_field=external_id,
        api_version=api_version,
        created_by=by,
        **options,
    )
    job.full_clean(exclude=["data", "result"])
    job.save()
    return job


def _upsert_key(sobject, name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise invalid_job("externalIdFieldName is required for upsert, e.g. External_Id__c.")
    if name.casefold() == "id":
        return "Id"
    for candidate in sobject.external_id_fields:
        if candidate.casefold() == name.casefold():
            return candidate
    allowed = ", ".join(["Id", *sobject.external_id_fields])
    raise SalesforceError(
        "INVALIDJOB",
        f"InvalidJob : {name} is not an external id field of {sobject.name}; use one of {allowed}.",
        fields=[name],
    )


@transaction.atomic
def create_query_job(payload: Any, *, by: User, api_version: str) -> BulkJob:
    """Create a query job from {operation: query|queryAll, query}, checking the SOQL now, and queue its run.

    Raises:
        SalesforceError: a bad operation, delimiter or line ending; the SOQL's own errors (MALFORMED_QUERY,
            INVALID_FIELD, INVALID_TYPE …).
    """
    options = _common_options(payload)
    operation = payload.get("operation", "query")
    if operation not in QUERY_OPERATIONS:
        raise invalid_job(f"operation must be query or queryAll; got {operation!r}.")
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise invalid_job("query is required.")
    object_name = check_query(query, by=by)
    job = BulkJob(
        kind=BulkJob.Kind.QUERY,
        object_name=object_name,
        operation=operation,
        query=query,
        api_version=api_version,
        created_by=by,
        state=BulkJob.State.UPLOAD_COMPLETE,
        **options,
    )
    job.full_clean(exclude=["data", "result"])
    job.save()
    run_bulk_job_bulk_task.delay_on_commit(job.pk)
    return job


def upload_job_data(job: BulkJob, stream: IO[bytes], *, by: User, declared_length: int | None = None) -> BulkJob:
    """Store the CSV of an open ingest job (once); nothing is stored when the upload is refused.

    Raises:
        SalesforceError: the job is not open or already has its data (409); the CSV is refused (400, 413).
    """
    _check_open_for_upload(job)
    upload = receive_upload(stream, declared_length=declared_length)
    stored = None
    try:
        with transaction.atomic():
            job = BulkJob.objects.select_for_update().get(pk=job.pk)
            _check_open_for_upload(job)
            job.data.save(f"job-{job.pk}.csv", upload, save=False)
            stored = job.data.name
            job.save(update_fields=["data", "updated_at"])
    except BaseException:
        if stored:  # the row never named the file
            job.data.storage.delete(stored)
        raise
    finally:
        upload.close()
    return job


def _check_open_for_upload(job: BulkJob) -> None:
    if job.is_query:
        raise invalid_job_state("A query job takes no data.")
    if job.state != BulkJob.State.OPEN:
        raise invalid_job_state(f"The job is {job.state}; data is uploaded only while it is Open.")
    if job.data:
        raise invalid_job_state("The job already has its data; create another job for more records.")


@transaction.atomic
def change_job_state(job: BulkJob, state: Any, *, by: User) -> BulkJob:
    """Apply a client's PATCH {state}: UploadComplete closes an ingest job and queues it; Aborted aborts a job.

    Raises:
        SalesforceError: another target state (400), or a move the job's state does not allow (409).
    """
    job = BulkJob.objects.select_for_update().get(pk=job.pk)
    if state == BulkJob.State.UPLOAD_COMPLETE and not job.is_query:
        if job.state != BulkJob.State.OPEN:
            raise invalid_job_state(f"The job is {job.state}; only an Open job can be closed.")
        if not job.data:
            raise invalid_job_state("The job has no data yet; upload its CSV first.")
        job.state = BulkJob.State.UPLOAD_COMPLETE
        job.save(update_fields=["state", "updated_at"])
        run_bulk_job_bulk_task.delay_on_commit(job.pk)
        return job
    if state == BulkJob.State.ABORTED:
        if job.state not in ABORTABLE_STATES:
            raise invalid_job_state(f"The job is {job.state}; a finished job cannot be aborted.")
        job.state = BulkJob.State.ABORTED
        job.finished_at = timezone.now()
        job.save(update_fields=["state", "finished_at", "updated_at"])
        return job
    allowed = "Aborted" if job.is_query else "UploadComplete or Aborted"
    raise SalesforceError("INVALIDJOB", f"InvalidJob : state must be {allowed}; got {state!r}.", fields=["state"])


@transaction.atomic
def delete_job(job: BulkJob, *, by: User) -> None:
    """Delete a job that no longer runs, with its results and files (the files after commit).

    Raises:
        SalesforceError: the job is Open or InProgress (409).
    """
    job = BulkJob.objects.select_for_update().get(pk=job.pk)
    if job.state not in DELETABLE_STATES:
        raise invalid_job_state(f"The job is {job.state}; abort it before deleting it.")
    files = [(field.storage, field.name) for field in (job.data, job.result) if field]
    job.delete()

    def remove_files() -> None:
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(remove_files)
