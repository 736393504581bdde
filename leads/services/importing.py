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
- New leads land scored and assigned: on PostgreSQL each is written once, complete — its score, its owner (the
  job's, or the one the assignment rules pick before the insert, with the "assigned" event) — see
  import_writes. Updated leads are rescored after the last chunk, set-based. Elsewhere the new leads are scored
  and the unowned ones assigned in bulk after the rows land (one pass each, no task per row); should that be cut
  short, the scoring and assignment sweepers pick them up (new leads are unscored and unowned; updated leads are
  marked unscored). Each new owner gets one digest email per run.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import queue
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from crm.common.exceptions import PermissionDenied
from crm.common.text import normalize_email
from crm.users.models import User
from leads.models import ImportJob, ImportRowError, Lead, LeadSource
from leads.scoring import Scoring
from leads.services.assignment import BulkAssignment, assign_leads_bulk, notify_owners
from leads.services.import_writes import (
    TEXT_FIELDS,
    copy_text,
    write_portable,
    write_postgres,
    writes_complete_leads,
)
from leads.services.scoring import load_scoring, score_leads

logger = logging.getLogger(__name__)

# A chunk is one transaction, and on PostgreSQL it holds the assignment rules' locks from its insert to its commit:
# 20,000 rows keep that near two seconds (a rule-based assignment meanwhile waits that long at most) while the
# per-chunk statements stay a small share (measured: 10,000 and 50,000 rows per chunk import equally fast).
CHUNK_ROWS = 20_000
SNIFF_BYTES = 64 * 1024
STALE_AFTER = timedelta(minutes=5)
MAX_ERRORS_PER_JOB = 100_000

IMPORTABLE_FIELDS = [*TEXT_FIELDS, "employees", "annual_revenue", "source", "status", "do_not_contact"]
FIELD_LABELS = {name: Lead._meta.get_field(name).verbose_name.capitalize() for name in IMPORTABLE_FIELDS}
MAX_LENGTHS = {name: Lead._meta.get_field(name).max_length for name in TEXT_FIELDS if name != "description"}
MAX_LENGTHS["description"] = 32_000

_ALIASES = {
    "first_name": ["first name", "firstname", "first", "given name", "forename", "prénom", "prenom"],
    "last_name": ["last name", "lastname", "surname", "family name", "last", "nom"],
    "email": ["email", "e-mail", "email address", "e-mail address", "mail"],
    "phone": ["phone", "phone number", "telephone", "tel", "mobile", "mobile phone", "work phone"],
    "company": ["company", "company name", "account", "account name", "organization", "organisation"],
    "title": ["title", "job title", "position", "role"],
    "website": ["website", "web site", "url", "company website", "site"],
    "industry": ["industry", "sector"],
    "employees": ["employees", "no. of employees", "number of employees", "numberofemployees", "headcount", "size"],
    "annual_revenue": ["annual revenue", "annualrevenue", "revenue"],
    "country": ["country", "country/region"],
    "city": ["city", "town"],
    "source": ["source", "lead source", "leadsource"],
    "status": ["status", "lead status"],
    "description": ["description", "notes", "note", "comments"],
    "do_not_contact": ["do not contact", "do not call", "email opt out", "donotcall", "hasoptedoutofemail"],
}


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


HEADER_FIELDS: dict[str, str] = {}
for _field, _names in _ALIASES.items():
    for _name in [_field, *_names]:
        HEADER_FIELDS.setdefault(_key(_name), _field)

SOURCE_VALUES: dict[str, str] = {_key(v): v for v in LeadSource.values} | {
    _key(lbl): v for v, lbl in LeadSource.choices
}
SOURCE_VALUES |= {
    _key(label): value
    for label, value in {
        "Website": "web",
        "Web Form": "web_form",
        "Phone Inquiry": "cold_call",
        "Cold Call": "cold_call",
        "Partner Referral": "partner",
        "Partner": "partner",
        "Employee Referral": "referral",
        "External Referral": "referral",
        "Word of mouth": "referral",
        "Purchased List": "other",
        "Public Relations": "other",
        "Seminar - Internal": "webinar",
        "Seminar - Partner": "partner",
        "Advertisement": "advertising",
        "Email": "email_campaign",
        "Social Media": "social",
        "Tradeshow": "trade_show",
    }.items()
}
STATUS_VALUES: dict[str, str] = {_key(v): v for v in Lead.Status.values if v != "converted"}
STATUS_VALUES |= {
    _key("Open - Not Contacted"): "new",
    _key("Open"): "new",
    _key("Working - Contacted"): "working",
    _key("Contacted"): "working",
    _key("Closed - Not Converted"): "unqualified",
    _key("Disqualified"): "unqualified",
}
CONVERTED_STATUSES = {_key("Closed - Converted"), _key("converted")}
TRUE_VALUES = {"1", "true", "yes", "y", "x", "on", "oui"}
FALSE_VALUES = {"0", "false", "no", "n", "", "off", "non"}

_EMAIL = re.compile(r"^[^@\s,;<>()\[\]\"']+@[^@\s,;<>()\[\]\"']+\.[^@\s,;<>()\[\]\"']+$")
_MONEY_NOISE = re.compile(r"[\s,$€£\u202f]")
_FORMULA = re.compile(r"^(?:[=@\t\r]|[+-](?![\d.]))+")


def neutralize_formula(value: str) -> str:
    """Drop leading characters that make a spreadsheet evaluate a cell (`=`, `@`, `+`/`-` before a non-digit)."""
    return _FORMULA.sub("", value) if value and value[0] in "=@+-\t\r" else value


def escape_for_spreadsheet(value: str) -> str:
    """Quote a cell that a spreadsheet would evaluate as a formula (OWASP CSV injection)."""
    return "'" + value if value and value[0] in "=@+-\t\r" else value


# --- reading the file --------------------------------------------------------------------------------------


@dataclass
class FileShape:
    encoding: str
    delimiter: str
    headers: list[str]
    has_nul: bool


def inspect_file(path: str | Path) -> FileShape:
    """Detect encoding, delimiter and headers of a CSV file; raise ValidationError on `file` when unusable."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    encoding, has_nul = "utf-8-sig", False
    with open(path, "rb") as handle:
        head = handle.read(SNIFF_BYTES)
        block = head
        while block:
            has_nul = has_nul or b"\0" in block
            if encoding == "utf-8-sig":
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    encoding = "latin-1"
            block = handle.read(1 << 20)
    if not head.strip(b"\0 \r\n\t\xef\xbb\xbf"):
        raise ValidationError({"file": ["The file is empty."]})
    sample = head.decode(encoding, errors="ignore").replace("\0", "")
    if sum(1 for ch in sample[:4096] if ch.isprintable() or ch in "\r\n\t") < 0.95 * len(sample[:4096]):
        raise ValidationError({"file": ["The file is not a text CSV file."]})
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    try:
        headers = next(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter), [])
    except csv.Error as exc:
        raise ValidationError({"file": [f"The file is not a readable CSV file: {exc}."]}) from exc
    headers = [h.strip() for h in headers]
    if not any(headers):
        raise ValidationError({"file": ["The file has no header row."]})
    return FileShape(encoding=encoding, delimiter=delimiter, headers=headers, has_nul=has_nul)


def _open_rows(path: str | Path, shape: FileShape) -> Iterator[list[str]]:
    """Yield the data rows (without the header) of a CSV file of the given shape."""
    with open(path, encoding=shape.encoding, newline="") as handle:
        lines: Any = (line.replace("\0", "") for line in handle) if shape.has_nul else handle
        reader = csv.reader(lines, delimiter=shape.delimiter)
        next(reader, None)
        yield from reader


def count_rows(path: str | Path, shape: FileShape) -> int:
    """Count the data rows of a CSV file (quoted newlines included)."""
    return sum(1 for _ in _open_rows(path, shape))


def detect_mapping(headers: list[str]) -> dict[str, str]:
    """Map each CSV header to a lead field by name (ours, Salesforce's, common variants); unknown ones to ""."""
    mapping, taken = {}, set()
    for header in headers:
        target = HEADER_FIELDS.get(_key(header), "")
        if target in taken:
            target = ""
        mapping[header] = target
        if target:
            taken.add(target)
    return mapping


def clean_mapping(mapping: Any, headers: list[str]) -> dict[str, str]:
    """Check a user's mapping: a dict of header → field, known fields, each field once, last name mapped."""
    if isinstance(mapping, str):
        try:
            mapping = json.loads(mapping)
        except ValueError as exc:
            raise ValidationError({"mapping": ["Give the mapping as a JSON object: {header: field}."]}) from exc
    if not isinstance(mapping, dict) or not all(isinstance(k, str) for k in mapping):
        raise ValidationError({"mapping": ["Give the mapping as a JSON object: {header: field}."]})
    cleaned: dict[str, str] = {}
    for header, target in mapping.items():
        target = target or ""
        if header not in headers:
            raise ValidationError({"mapping": [f"The file has no column “{header}”."]})
        if target and target not in IMPORTABLE_FIELDS:
            raise ValidationError({"mapping": [f"“{target}” is not a lead field that can be imported."]})
        if target and target in cleaned.values():
            raise ValidationError({"mapping": [f"Two columns are mapped to {target}."]})
        cleaned[header] = target
    if "last_name" not in cleaned.values():
        raise ValidationError({"mapping": ["Map a column to last_name: every lead needs a last name."]})
    return cleaned


# --- validating rows ---------------------------------------------------------------------------------------


@dataclass
class ChunkResult:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)  # by email; rows without email keyed "#<row>"
    errors: list[ImportRowError] = field(default_factory=list)
    merged: int = 0
    failed: int = 0
    copy_text: str | None = None  # the rows in COPY text format, prepared by the reader thread on PostgreSQL


class RowValidator:
    """Turn raw CSV rows into clean lead values, or errors naming the column."""

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        index = {header: i for i, header in enumerate(job.headers)}
        self.columns = [(index[h], f, h) for h, f in job.mapping.items() if f and h in index]
        self.text_columns = [(i, f, h, MAX_LENGTHS[f]) for i, f, h in self.columns if f in MAX_LENGTHS]
        self.other_columns = [(i, f, h) for i, f, h in self.columns if f not in MAX_LENGTHS]

    def validate(self, rows: list[list[str]], first_row: int) -> ChunkResult:
        result = ChunkResult()
        job = self.job
        for offset, raw in enumerate(rows):
            number = first_row + offset
            if not any(raw):
                continue
            width = len(raw)
            values: dict[str, Any] = {}
            problems: list[tuple[str, str, str]] = []
            for i, name, header, limit in self.text_columns:
                value = raw[i].strip() if i < width else ""
                if value and value[0] in "=@+-\t\r":
                    value = neutralize_formula(value).strip()
                if not value:
                    continue
                if len(value) > limit:
                    problems.append((header, f"Longer than {limit} characters.", value))
                    continue
                values[name] = value
            for i, name, header in self.other_columns:
                value = raw[i].strip() if i < width else ""
                if not value:
                    continue
                try:
                    values[name] = _CONVERTERS[name](value)
                except ValueError as exc:
                    problems.append((header, str(exc), value))
            if "last_name" not in values and not any(p[0] == self._header("last_name") for p in problems):
                problems.append((self._header("last_name"), "Last name is required.", ""))
            email = values.get("email")
            if email is not None:
                email = normalize_email(email)
                if not _EMAIL.match(email):
                    problems.append((self._header("email"), "Enter a valid email address.", email))
                values["email"] = email
            if problems:
                result.failed += 1
                result.errors.extend(
                    ImportRowError(job=job, row=number, column=h, message=m[:255], value=v[:255])
                    for h, m, v in problems
                )
                continue
            key = email or f"#{number}"
            earlier = result.rows.get(key)
            if earlier is None:
                values["_row"] = number
                result.rows[key] = values
            else:
                earlier.update(values)
                result.merged += 1
        return result

    def _header(self, name: str) -> str:
        return next((h for _, f, h in self.columns if f == name), name)


def _to_employees(value: str) -> int:
    digits = value.replace(",", "").replace(" ", "").replace("\u202f", "").replace("_", "")
    if not digits.isdigit() or len(digits) > 9:
        raise ValueError("Enter a whole number of employees.")
    return int(digits)


def _to_revenue(value: str) -> Decimal:
    text = _MONEY_NOISE.sub("", value)
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("Enter an amount such as 1250000.00.") from None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e14"):
        raise ValueError("Enter an amount between 0 and 99,999,999,999,999.99.")
    return amount.quantize(Decimal("0.01"))


def _to_source(value: str) -> str:
    source = SOURCE_VALUES.get(_key(value))
    if source is None:
        raise ValueError(f"Unknown lead source; use one of: {', '.join(LeadSource.values)}.")
    return source


def _to_status(value: str) -> str:
    key = _key(value)
    if key in CONVERTED_STATUSES:
        raise ValueError("A lead becomes converted only through conversion; import it as qualified.")
    status = STATUS_VALUES.get(key)
    if status is None:
        raise ValueError("Unknown lead status; use new, working, nurturing, qualified or unqualified.")
    return status


def _to_bool(value: str) -> bool:
    text = value.lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise ValueError("Enter yes or no.")


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "employees": _to_employees,
    "annual_revenue": _to_revenue,
    "source": _to_source,
    "status": _to_status,
    "do_not_contact": _to_bool,
}

# --- services ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_import(
    *, by: User, file: File, mapping: Any = None, owner: User | None = None, start: bool = True, enqueue: bool = True
) -> ImportJob:
    """Store an uploaded CSV as an import job and, with `start`, queue it; otherwise it awaits its mapping.

    `enqueue=False` leaves a queued job for the caller to run (the command runs it in-process).

    Raises:
        PermissionDenied: only managers and admins import.
    """
    if not by.can_manage:
        raise PermissionDenied("Only managers and admins may import leads.")
    name = Path(getattr(file, "name", "") or "leads.csv").name[:255]
    job = ImportJob(created_by=by, owner=owner, original_name=name, status=ImportJob.Status.DRAFT)
    job.file.save(name, file, save=False)
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
    from leads.tasks import run_import_bulk_task

    run_import_bulk_task.delay_on_commit(job.pk)


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


def list_stale_imports() -> list[int]:
    """Ids of running imports whose heartbeat is older than STALE_AFTER."""
    stale = timezone.now() - STALE_AFTER
    return list(
        ImportJob.objects.filter(status=ImportJob.Status.RUNNING, updated_at__lt=stale).values_list("pk", flat=True)
    )


def claim_import(job_id: int) -> bool:
    """Take a queued job, or a running one whose worker stopped beating; False when another run has it."""
    now = timezone.now()
    claimable = Q(status=ImportJob.Status.QUEUED) | Q(status=ImportJob.Status.RUNNING, updated_at__lt=now - STALE_AFTER)
    job = ImportJob.objects.filter(pk=job_id).filter(claimable).first()
    if job is None:
        return False
    return bool(
        ImportJob.objects.filter(pk=job_id, status=job.status, updated_at=job.updated_at).update(
            status=ImportJob.Status.RUNNING,
            started_at=job.started_at or now,
            run_rows_start=job.rows_done,
            attempts=job.attempts + 1,
            updated_at=now,
        )
    )


def run_import(job_id: int, *, progress: Callable[[ImportJob], None] | None = None) -> ImportJob | None:
    """Import a claimed-or-claimable job chunk by chunk from its last committed row; None when another run has it."""
    if not claim_import(job_id):
        return None
    job = ImportJob.objects.select_related("created_by", "owner").get(pk=job_id)
    to_score: list[int] = []
    created_unowned: list[int] = []
    assigned = BulkAssignment()
    # Rules as they are when the run starts: PostgreSQL scores new rows as it inserts them.
    scoring = load_scoring()
    complete = writes_complete_leads()
    try:
        shape = FileShape(job.encoding, job.delimiter, job.headers, has_nul=_has_nul(job.file.path))
        if job.rows_total is None:
            job.rows_total = count_rows(job.file.path, shape)
            job.save(update_fields=["rows_total", "updated_at"])
        for size, result in _validated_chunks(job, shape):
            created_ids, updated_ids = _import_chunk(job, size, result, scoring, assigned)
            to_score.extend(updated_ids)
            if not complete:
                to_score.extend(created_ids)
                if job.owner_id is None:
                    created_unowned.extend(created_ids)
            if progress:
                progress(job)
    except Exception as exc:
        logger.exception("import %s failed", job_id)
        ImportJob.objects.filter(pk=job_id).update(
            status=ImportJob.Status.FAILED,
            detail=f"The import stopped at row {job.rows_done + 2}: {exc.__class__.__name__}."[:500],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        raise
    finally:
        # One digest per new owner for the leads the committed chunks gave them, even when a later chunk failed.
        notify_owners(assigned)
    _score_and_assign(to_score, created_unowned, by=job.created_by)
    job.status = ImportJob.Status.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "finished_at", "updated_at"])
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
) -> tuple[list[int], list[int]]:
    """Upsert one validated chunk, store its errors and save the progress, in one transaction.

    Returns (created ids, updated ids); the leads the rules assigned are added to `into`.
    """
    if not result.rows:
        created_ids, updated_ids = [], []
    elif writes_complete_leads():
        text = result.copy_text or copy_text(result.rows.values())
        created_ids, updated_ids = write_postgres(job, text, scoring or load_scoring(), into=into)
    else:
        created_ids, updated_ids = write_portable(job, list(result.rows.values()))
    errors_room = MAX_ERRORS_PER_JOB - ImportRowError.objects.filter(job=job).count() if result.errors else 0
    if errors_room > 0:
        ImportRowError.objects.bulk_create(result.errors[:errors_room], batch_size=5000)
    job.rows_done += size
    job.created += len(created_ids)
    job.updated += len(updated_ids)
    job.merged += result.merged
    job.failed += result.failed
    job.save(update_fields=["rows_done", "created", "updated", "merged", "failed", "updated_at"])
    return created_ids, updated_ids


def _score_and_assign(touched: list[int], created_unowned: list[int], *, by: User) -> None:
    """Score the imported leads and assign the new unowned ones set-based: one pass each, no task per row."""
    score_leads(touched)
    if created_unowned:
        assign_leads_bulk(created_unowned, by=by)  # in chunks of its own, with one digest per owner
