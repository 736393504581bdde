"""Query jobs: the SOQL run as the job's creator (only what they may see), its CSV, and the CSV read by locator.

- The query is checked when the job is created (MALFORMED_QUERY, INVALID_FIELD … answer at once, 400) and run by
  the worker; aggregate queries (COUNT()) are refused, as Bulk API 2.0 refuses them.
- The CSV's header is the selected fields as written (`Id`, `Account.Name`); a parent the creator may not see
  reads as empty; booleans are true/false, datetimes as Salesforce writes them; every cell is formula-safe.
- Results are read in pages of `maxRecords` (default and maximum MAX_PAGE); `Sforce-Locator` names the next page
  ("null" after the last one) and `Sforce-NumberOfRecords` counts the page's records.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from integrations.salesforce.bulk.csvfiles import DELIMITERS, CsvWriter
from integrations.salesforce.bulk.models import BulkJob
from integrations.salesforce.errors import SalesforceError, malformed_query
from integrations.salesforce.soql.compiler import BATCH_SIZE, CompiledQuery, compile_query
from integrations.salesforce.soql.parser import SoqlSyntaxError, parse_query
from users.models import User

# A checkpoint (byte offset) every CHECKPOINT records of the CSV: a page starts at most that many records after one.
CHECKPOINT = 1000
MAX_PAGE = 50_000
# A long query saves its heartbeat every HEARTBEAT records, so the sweeper never takes it for a stopped one.
HEARTBEAT = 10 * CHECKPOINT


@dataclass(frozen=True)
class Page:
    text: str
    count: int
    next_locator: str | None


def check_query(text: str, *, by: User) -> str:
    """Parse and compile `text` as `by` would run it; return the queried object's name.

    Raises:
        SalesforceError: the SOQL's errors, or an aggregate query.
    """
    return _compile(text, by).sobject_name


def run_query(job: BulkJob) -> bool:
    """Run the job's SOQL as its creator into a CSV file with checkpoints, completing the job with it; False (nothing
    kept) when the job was aborted, deleted or taken over by another run meanwhile."""
    compiled = _compile(job.query, job.created_by)
    writer = CsvWriter(job.column_delimiter, job.line_ending)
    offsets: list[int] = []
    count = 0
    with tempfile.TemporaryFile() as handle:
        handle.write(writer.row(compiled.header).encode())
        for row in compiled.rows():
            if count % CHECKPOINT == 0:
                offsets.append(handle.tell())
                if count % HEARTBEAT == 0 and count and not _beat(job):
                    return False
            handle.write(writer.row(row).encode())
            count += 1
        handle.seek(0)
        with transaction.atomic():
            locked = BulkJob.objects.select_for_update().filter(pk=job.pk).first()
            if locked is None or locked.state != BulkJob.State.IN_PROGRESS or locked.attempts != job.attempts:
                return False
            locked.result.save(f"query-{job.pk}.csv", File(handle), save=False)
            name = locked.result.name
            now = timezone.now()
            BulkJob.objects.filter(pk=job.pk).update(
                state=BulkJob.State.JOB_COMPLETE,
                finished_at=now,
                result=name,
                result_offsets=offsets,
                rows_total=count,
                rows_done=count,
                records_processed=count,
                updated_at=now,
            )
    return True


def _beat(job: BulkJob) -> bool:
    """Save the heartbeat of this run; False when the job was aborted, deleted or taken over by another run."""
    running = BulkJob.objects.filter(pk=job.pk, state=BulkJob.State.IN_PROGRESS, attempts=job.attempts)
    return bool(running.update(updated_at=timezone.now()))


def result_page(job: BulkJob, *, locator: str | None, max_records: Any) -> Page:
    """The page of a finished query job's records starting at `locator` (the first page without one).

    Raises:
        SalesforceError: the job has not finished (409), a bad locator or maxRecords (400).
    """
    if job.state != BulkJob.State.JOB_COMPLETE or not job.result:
        raise SalesforceError(
            "INVALIDJOBSTATE",
            f"InvalidJobState : The job is {job.state}; results come once it is JobComplete.",
            status=409,
        )
    size = _page_size(max_records)
    start = _start(locator, job.records_processed)
    end = min(job.records_processed, start + size)
    text = "".join(_page_lines(job, start, end - start))
    return Page(text, end - start, str(end) if end < job.records_processed else None)


def _page_size(value: Any) -> int:
    if value in (None, ""):
        return MAX_PAGE
    if not str(value).isdigit() or int(value) < 1:
        raise SalesforceError("INVALID_MAXRECORDS", f"maxRecords must be a positive whole number; got {value!r}.")
    return min(int(value), MAX_PAGE)


def _start(locator: str | None, total: int) -> int:
    if locator in (None, "", "null"):
        return 0
    if not locator.isdigit() or int(locator) > total:
        raise SalesforceError("INVALID_QUERY_LOCATOR", f"invalid query locator: {locator}")
    return int(locator)


def _page_lines(job: BulkJob, start: int, count: int) -> Iterator[str]:
    writer = CsvWriter(job.column_delimiter, job.line_ending)
    delimiter = DELIMITERS[job.column_delimiter]
    with open(job.result.path, encoding="utf-8", newline="") as text:
        yield _raw_line(writer, next(csv.reader(text, delimiter=delimiter)))
    if not count:
        return
    checkpoint = start // CHECKPOINT
    with open(job.result.path, "rb") as binary:
        binary.seek(job.result_offsets[checkpoint])
        reader = csv.reader(io.TextIOWrapper(binary, encoding="utf-8", newline=""), delimiter=delimiter)
        for _ in range(start - checkpoint * CHECKPOINT):
            next(reader)
        for _ in range(count):
            yield _raw_line(writer, next(reader))


def _raw_line(writer: CsvWriter, cells: list[str]) -> str:
    """Write cells already made formula-safe when the file was written, as they are."""
    return writer.row((), raw=cells)


@dataclass
class _Compiled:
    sobject_name: str
    header: list[str]
    rows: Callable[[], Iterator[list]]


def _compile(text: str, user: User) -> _Compiled:
    try:
        query = parse_query(text)
    except SoqlSyntaxError as exc:
        raise malformed_query(exc.message) from None
    compiled = compile_query(query, user)
    if query.is_count:
        raise SalesforceError(
            "INVALIDJOB", "InvalidJob : Aggregate queries such as COUNT() are not supported by Bulk API 2.0."
        )
    header = [str(item) for item in query.select]
    return _Compiled(compiled.sobject.name, header, lambda: _rows(compiled))


def _rows(compiled: CompiledQuery) -> Iterator[list]:
    """Every row of the query (OFFSET and LIMIT applied) as CSV cells, in keyset batches."""
    limit = compiled.query.limit
    returned = 0
    after = None
    while limit is None or returned < limit:
        size = BATCH_SIZE if limit is None else min(BATCH_SIZE, limit - returned)
        rows, more = compiled.rows(after=after, limit=size)
        for row in rows:
            yield [_cell(column, row) for column in compiled.columns]
        returned += len(rows)
        if not more or not rows:
            return
        last = rows[-1]
        after = (tuple(last[key.alias] for key in compiled.order), last["pk"])


def _cell(column, row: dict):
    """A parent the user may not see (or no parent) leaves the cell empty."""
    if any(row[alias] is None for alias in column.relation_aliases):
        return None
    return column.field.to_sf(row[column.alias])
