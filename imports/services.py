"""Bulk CSV import of leads: detect the file's shape, validate each row, upsert by email in chunks.

Decisions a user of the import relies on:
- Encoding: UTF-8 with or without BOM; a file that is not valid UTF-8 is read as Latin-1. The delimiter is
  sniffed among `,` `;` tab `|` (comma when unsure); quoted cells may hold newlines. NUL bytes are dropped.
- Rows are numbered as in a spreadsheet: the header is row 1, the first lead is row 2.
- A row with an error is not imported and lands in the error report (row, column, message); the others are.
  Over-long values are errors naming the column, never truncated.
- Formula prefixes: a text cell starting with `=`, `@`, or `+`/`-` not followed by a digit loses those leading
  characters (`=HYPERLINK(…)` → `HYPERLINK(…)`), so no spreadsheet that later opens an export runs it; phone
  numbers such as `+33 1 …` and numbers such as `-5` are kept. The error report quotes such cells with `'`.
- Salesforce statuses: "Open - Not Contacted" → new, "Working - Contacted" → working, "Closed - Not Converted"
  → unqualified; "Closed - Converted" is an error (a lead becomes converted only through conversion: import it
  as qualified and convert it). Unknown source or status values are errors too, so nothing is silently guessed.
- Upsert by normalised email: an open (not converted) lead with the email is updated — every non-empty cell
  overwrites its field, empty cells leave fields alone, status and owner are kept; a converted lead is never
  touched, so a row matching only converted leads creates a new lead. Rows without email always create leads.
  `updated` counts the leads a row actually changed; a row identical to its lead writes nothing.
- Duplicates inside the file are merged into the first row with that email: later non-empty cells win, field
  by field (counted as `merged`).
- Work goes in chunks of CHUNK_ROWS rows, each one transaction that also saves the progress, so a retried
  job resumes after the last committed chunk and never imports a row twice.
- New leads land scored and assigned, in their chunk's transaction: on PostgreSQL each is written once,
  complete — its score, its owner (the job's, or the one the assignment rules pick before the insert, with the
  "assigned" event); elsewhere the chunk's new leads are scored and the unowned ones assigned set-based right
  after the insert (one pass each, no task per row) — see imports/writing.py. Updated leads are rescored after
  the last chunk, set-based; should that be cut short, the scoring sweeper picks them up (they are marked
  unscored). Each new owner gets one digest email per run.
- Assignment runs in the importer's scope: a manager's import goes only to the rules and reps of the teams they
  manage, and the leads nobody there can take stay with the manager (owned, never left unassigned for the
  sweeper's global rules); an admin's import uses every rule (see assignment.routing).
- Every lead a job creates or updates is linked to it (ImportedLead, in the chunk's transaction), so the result
  page links to exactly those leads on the lead list (`?import_job=<id>`), which shows the ones the viewer may
  see.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from assignment.services import BulkAssignment, notify_owners
from core import leases
from core.events import publish
from core.exceptions import PermissionDenied
from core.uploads import save_upload
from imports.campaigns import tag_chunk_with_campaigns
from imports.events import ImportEvent
from imports.models import ImportJob, ImportRowError
from imports.reading import (
    CHUNK_ROWS,
    MAX_ERRORS_PER_JOB,
    FileShape,
    _open_rows,
    clean_mapping,
    count_rows,
    detect_mapping,
    inspect_file,
)
from imports.validation import ChunkResult, RowValidator, drop_suppressed_rows
from imports.writing import copy_text, write_portable, write_postgres, writes_complete_leads
from scoring.services import load_scoring, score_leads
from scoring.sql import Scoring
from users.models import User

logger = logging.getLogger(__name__)

# A chunk is one transaction, and on PostgreSQL it holds the assignment rules' locks from its insert to its commit:
# 20,000 rows keep that near two seconds (a rule-based assignment meanwhile waits that long at most) while the
# per-chunk statements stay a small share (measured: 10,000 and 50,000 rows per chunk import equally fast).
# --- services ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_import(
    *, by: User, file: File, mapping: Any = None, owner: User | None = None, start: bool = True, enqueue: bool = True
) -> ImportJob:
    """Store an uploaded CSV as an import job and, with `start`, queue it; otherwise it awaits its mapping.

    `enqueue=False` leaves a queued job for the caller to run (the command runs it in-process).

    Raises:
        PermissionDenied: only managers and admins import.
        StorageFull: the upload disk is full (nothing is kept).
    """
    if not by.can_manage:
        raise PermissionDenied("Only managers and admins may import leads.")
    name = Path(getattr(file, "name", "") or "leads.csv").name[:255]
    job = ImportJob(created_by=by, owner=owner, original_name=name, status=ImportJob.Status.DRAFT)
    save_upload(job.file, name, file)
    try:
        shape = inspect_file(job.file.path)
        job.encoding, job.delimiter, job.headers = shape.encoding, shape.delimiter, shape.headers
        job.mapping = (
            detect_mapping(shape.headers) if mapping in (None, "", {}) else clean_mapping(mapping, shape.headers)
        )
        if start:
            clean_mapping(job.mapping, shape.headers)
            job.status = ImportJob.Status.QUEUED
    except ValidationError:
        job.file.delete(save=False)
        raise
    job.full_clean()
    job.save()
    if start and enqueue:
        _enqueue(job)
    return job


@transaction.atomic
def start_import(job: ImportJob, *, by: User, mapping: Any) -> ImportJob:
    """Confirm the column mapping of a job awaiting it and queue the import.

    Raises:
        PermissionDenied: only managers and admins import.
    """
    if not by.can_manage:
        raise PermissionDenied("Only managers and admins may import leads.")
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportJob.Status.DRAFT:
        return job
    job.mapping = clean_mapping(mapping, job.headers)
    job.status = ImportJob.Status.QUEUED
    job.save(update_fields=["mapping", "status", "updated_at"])
    _enqueue(job)
    return job


def _enqueue(job: ImportJob) -> None:
    publish(ImportEvent.QUEUED, job)


def purge_import_files(*, now: datetime | None = None) -> int:
    """Delete uploaded CSVs FUNNEL_IMPORT_FILE_DAYS after their import ended; return how many files went.

    An upload left awaiting its mapping that long is closed as failed, saying why. The jobs, their counters and
    their error reports stay. A file leaves the storage only after the job no longer names it (after commit).
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.FUNNEL_IMPORT_FILE_DAYS)
    ended = Q(status__in=[ImportJob.Status.DONE, ImportJob.Status.FAILED], finished_at__lt=cutoff)
    expired = ended | Q(status=ImportJob.Status.DRAFT, created_at__lt=cutoff)
    purged = 0
    for job_id in ImportJob.objects.filter(expired).exclude(file="").values_list("pk", flat=True):
        with transaction.atomic():
            job = ImportJob.objects.select_for_update().filter(expired, pk=job_id).exclude(file="").first()
            if job is None:  # started or purged meanwhile
                continue
            storage, name = job.file.storage, job.file.name
            job.file = ""
            fields = ["file", "updated_at"]
            if job.status == ImportJob.Status.DRAFT:
                job.status, job.finished_at = ImportJob.Status.FAILED, now
                job.detail = (
                    f"The upload waited {settings.FUNNEL_IMPORT_FILE_DAYS} days for its column mapping; "
                    "its file was removed. Upload it again."
                )
                fields += ["status", "finished_at", "detail"]
            job.save(update_fields=fields)
            transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
            purged += 1
    if purged:
        logger.info("removed the files of %d finished imports", purged)
    return purged


IMPORT_TASK = "imports.tasks.run_import_bulk_task"


def claim_import(job_id: int) -> bool:
    """Mark a queued job, or a running one whose worker stopped, as run now; the caller holds the job's lease."""
    job = ImportJob.objects.filter(pk=job_id, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING]).first()
    if job is None:
        return False
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportJob.Status.RUNNING,
        started_at=job.started_at or now,
        run_rows_start=job.rows_done,
        attempts=job.attempts + 1,
        updated_at=now,
    )
    return True


def run_import(job_id: int, *, progress: Callable[[ImportJob], None] | None = None) -> ImportJob | None:
    """Import a job chunk by chunk from its last committed row, holding its lease; None when another run has it."""
    with leases.holding("import", job_id, task=IMPORT_TASK) as held:
        if held is None or not claim_import(job_id):
            return None
        return _run_claimed(job_id, held, progress)
    return None  # the lease passed to another worker mid-run


def _run_claimed(job_id: int, held: leases.Held, progress: Callable[[ImportJob], None] | None) -> ImportJob:
    job = ImportJob.objects.select_related("created_by", "owner").get(pk=job_id)
    updated: list[int] = []
    assigned = BulkAssignment()
    # Rules as they are when the run starts: PostgreSQL scores new rows as it inserts them.
    scoring = load_scoring()
    try:
        shape = FileShape(job.encoding, job.delimiter, job.headers, has_nul=_has_nul(job.file.path))
        if job.rows_total is None:
            job.rows_total = count_rows(job.file.path, shape)
            job.save(update_fields=["rows_total", "updated_at"])
        for size, result in _validated_chunks(job, shape):
            _created_ids, updated_ids = _import_chunk(job, size, result, scoring, assigned, held=held)
            updated.extend(updated_ids)
            if progress:
                progress(job)
    except (leases.LeaseLost, *leases.DATABASE_ERRORS):
        raise  # another worker has the job now, or will take it over once the database is back
    except Exception as exc:
        logger.exception("import %s failed", job_id)
        with transaction.atomic():
            ImportJob.objects.filter(pk=job_id).update(
                status=ImportJob.Status.FAILED,
                detail=f"The import stopped at row {job.rows_done + 2}: {exc.__class__.__name__}."[:500],
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
            publish(ImportEvent.FINISHED, job, by=job.created_by_id, data={"status": ImportJob.Status.FAILED})
        raise
    finally:
        # One digest per new owner for the leads the committed chunks gave them, even when a later chunk failed.
        notify_owners(assigned)
    score_leads(updated)  # the updated leads, set-based, after the last chunk
    job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    with transaction.atomic():
        job.save(update_fields=["status", "finished_at", "updated_at"])
        held.renew()
        publish(ImportEvent.FINISHED, job, by=job.created_by_id, data={"status": job.status})
    if progress:
        progress(job)
    return job


def _has_nul(path: str) -> bool:
    with open(path, "rb") as handle:
        return any(b"\0" in block for block in iter(lambda: handle.read(1 << 20), b""))


def _validated_chunks(job: ImportJob, shape: FileShape) -> Iterator[tuple[int, ChunkResult]]:
    """Yield (rows read, validated rows) per chunk after the committed ones.

    A thread reads and validates the next chunk while the caller writes the current one: the database works
    while Python parses (psycopg2 releases the GIL), which hides most of the parsing time on a big file.
    """
    validator = RowValidator(job)
    for_copy = writes_complete_leads()
    results: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                results.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            rows = _open_rows(job.file.path, shape)
            skipped = sum(1 for _ in islice(rows, job.rows_done))
            if skipped != job.rows_done:
                raise ValueError("The file is shorter than the progress recorded.")
            number = job.rows_done + 2
            while chunk := list(islice(rows, CHUNK_ROWS)):
                result = validator.validate(chunk, first_row=number)
                if for_copy:
                    result.copy_text = copy_text(result.rows.values())
                if not put((len(chunk), result)):
                    return
                number += len(chunk)
            put(None)
        except BaseException as exc:
            put(exc)

    reader = threading.Thread(target=produce, name=f"import-{job.pk}-reader", daemon=True)
    reader.start()
    try:
        while (item := results.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join(timeout=5)


@transaction.atomic
def _import_chunk(
    job: ImportJob,
    size: int,
    result: ChunkResult,
    scoring: Scoring | None = None,
    into: BulkAssignment | None = None,
    *,
    held: leases.Held | None = None,
) -> tuple[list[int], list[int]]:
    """Upsert one validated chunk, store its errors and save the progress, in one transaction.

    Returns (created ids, updated ids); the leads the rules assigned are added to `into`.
    """
    drop_suppressed_rows(job, result)
    if not result.rows:
        created_ids, updated_ids = [], []
    elif writes_complete_leads():
        text = result.copy_text or copy_text(result.rows.values())
        created_ids, updated_ids = write_postgres(job, text, scoring or load_scoring(), into=into)
    else:
        created_ids, updated_ids = write_portable(job, list(result.rows.values()), into=into)
    tag_chunk_with_campaigns(job, result.rows.values())
    errors_room = MAX_ERRORS_PER_JOB - ImportRowError.objects.filter(job=job).count() if result.errors else 0
    if errors_room > 0:
        ImportRowError.objects.bulk_create(result.errors[:errors_room], batch_size=5000)
    job.rows_done += size
    job.created += len(created_ids)
    job.updated += len(updated_ids)
    job.merged += result.merged
    job.failed += result.failed
    job.save(update_fields=["rows_done", "created", "updated", "merged", "failed", "updated_at"])
    if held is not None:
        held.renew()  # last: the chunk commits only while this worker still holds the job
    return created_ids, updated_ids
