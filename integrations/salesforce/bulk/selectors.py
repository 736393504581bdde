"""Reads of Bulk API 2.0 jobs: the visible job, the job list, job info as Salesforce sends it, ingest results."""

from __future__ import annotations

from collections.abc import Iterator

from core import leases
from integrations.salesforce import errors
from integrations.salesforce.bulk.csvfiles import CsvWriter, read_rows
from integrations.salesforce.bulk.identifiers import job_pk, job_sf_id
from integrations.salesforce.bulk.models import BulkJob, IngestResult
from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.ids import to_sf_id
from integrations.salesforce.mapping import format_datetime
from users.models import User

LIST_PAGE = 1000
RESULTS_PAGE = 5000


def get_job(sf_id: str, *, user: User, kind: str) -> BulkJob:
    """The job `sf_id` of `kind` that `user` may see; NOT_FOUND otherwise (malformed ids too)."""
    pk = job_pk(sf_id)
    job = BulkJob.objects.visible_to(user).filter(pk=pk, kind=kind).first() if pk else None
    if job is None:
        raise errors.not_found(f"Job with ID {sf_id} not found.")
    return job


def list_jobs(*, user: User, kind: str, after: int | None = None) -> tuple[list[BulkJob], int | None]:
    """A page of the jobs of `kind` that `user` may see, oldest first, after job pk `after`; and the next cursor."""
    queryset = BulkJob.objects.visible_to(user).filter(kind=kind).order_by("pk")
    if after:
        queryset = queryset.filter(pk__gt=after)
    page = list(queryset[: LIST_PAGE + 1])
    more = len(page) > LIST_PAGE
    page = page[:LIST_PAGE]
    return page, (page[-1].pk if more else None)


def job_info(job: BulkJob) -> dict:
    """The job as Salesforce's job info shows it."""
    info = {
        "id": job_sf_id(job.pk),
        "operation": job.operation,
        "object": job.object_name,
        "createdById": to_sf_id("User", job.created_by_id),
        "createdDate": format_datetime(job.created_at),
        "systemModstamp": format_datetime(job.updated_at),
        "state": job.state,
        "concurrencyMode": "Parallel",
        "contentType": "CSV",
        "apiVersion": float(job.api_version),
        "jobType": "V2Query" if job.is_query else "V2Ingest",
        "lineEnding": job.line_ending,
        "columnDelimiter": job.column_delimiter,
        "numberRecordsProcessed": job.records_processed,
        "retries": max(0, job.attempts - 1),
        "totalProcessingTime": _processing_ms(job),
    }
    if job.is_query:
        info["isPkChunkingSupported"] = False
    else:
        if job.external_id_field:
            info["externalIdFieldName"] = job.external_id_field
        info["contentUrl"] = f"services/data/v{job.api_version}/jobs/ingest/{info['id']}/batches"
        info["numberRecordsFailed"] = job.records_failed
        info["apiActiveProcessingTime"] = info["totalProcessingTime"]
        info["apexProcessingTime"] = 0
    if job.error_message:
        info["errorMessage"] = job.error_message
    elif job.state == BulkJob.State.IN_PROGRESS and leases.is_recovering("sf-bulk", job.pk):
        # The state stays InProgress (clients poll it); the message says why it stands still for a few seconds.
        info["errorMessage"] = f"InProgress: {leases.RECOVERING}"
    return info


def _processing_ms(job: BulkJob) -> int:
    if not job.started_at:
        return 0
    end = job.finished_at or job.updated_at
    return max(0, int((end - job.started_at).total_seconds() * 1000))


def ingest_results(job: BulkJob, kind: str) -> Iterator[str]:
    """The CSV lines of an ingest job's `successful`, `failed` or `unprocessed` records, header first.

    Results come in row order with the row's original cells after the sf__ columns; unprocessed records are the
    rows no run reached (all of them until the job runs). A job without data has an empty result.
    """
    if not job.data:
        return iter(())
    header, rows = read_rows(job.data.path, job.column_delimiter)
    writer = CsvWriter(job.column_delimiter, job.line_ending)
    if kind == "unprocessed":
        return _unprocessed(job, header, rows, writer)
    return _processed(job, header, rows, writer, failed=kind == "failed")


def _readable(rows: Iterator[list[str]]) -> Iterator[list[str]]:
    """The rows up to where the file stops being readable CSV (the job failed there, saying so)."""
    try:
        yield from rows
    except SalesforceError:
        return


def _unprocessed(job: BulkJob, header: list[str], rows: Iterator[list[str]], writer: CsvWriter) -> Iterator[str]:
    yield writer.row(header)
    for index, row in enumerate(_readable(rows)):
        if index >= job.rows_done:
            yield writer.row(row)


def _processed(
    job: BulkJob, header: list[str], rows: Iterator[list[str]], writer: CsvWriter, *, failed: bool
) -> Iterator[str]:
    yield writer.row(header, raw=["sf__Id", "sf__Error" if failed else "sf__Created"])
    rows = _readable(rows)
    index, row = -1, None
    for number, record_id, created, error in _results(job, failed=failed):
        while index < number:
            index, row = index + 1, next(rows, None)
        cells = row or []
        yield writer.row(cells, raw=[record_id, error if failed else ("true" if created else "false")])


def _results(job: BulkJob, *, failed: bool) -> Iterator[tuple[int, str, bool, str]]:
    """The job's results in row order, in keyset pages: no database cursor stays open while a client reads."""
    queryset = IngestResult.objects.filter(job=job)
    queryset = queryset.exclude(error="") if failed else queryset.filter(error="")
    after = -1
    while True:
        page = list(
            queryset.filter(row__gt=after)
            .order_by("row")
            .values_list("row", "record_id", "created", "error")[:RESULTS_PAGE]
        )
        yield from page
        if len(page) < RESULTS_PAGE:
            return
        after = page[-1][0]
