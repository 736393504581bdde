"""How a chunk of validated import rows becomes leads: upsert by email, set-based.

On PostgreSQL each new lead is written once, complete: scored (the rules' fit evaluated over the staged values —
a new lead has no engagement yet, so fit is its whole score), rated, stamped MQL with its event, and given its
owner — the job's owner, or the one the assignment rules pick before the insert — with its "assigned" event.
Other databases insert with the ORM, then score the chunk's new leads and assign the unowned ones set-based,
in the same transaction. Either way the rules run in the importer's scope (a manager's import stays inside
their teams: see `assignment.routing`), and every lead a chunk creates or updates gets its ImportedLead row in
that chunk's transaction (the same statement on PostgreSQL).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from django.db import connection, models
from django.utils import timezone

from assignment.services import BulkAssignment, NewLeadRouting, assign_leads_bulk
from imports.models import ImportedLead, ImportJob
from leads.models import Lead, LeadSource, LeadStatusChange
from leads.services.capture import EDITABLE_FIELDS
from scoring.services import score_leads
from scoring.sql import (
    Scoring,
    evaluate_once,
    fit_sql,
    lead_grade_sql,
    mql_events_sql,
    mql_grade_sql,
    rating_sql,
)

# What a row may set: what a person may edit on a lead, and its status. Text columns default to "", the
# others in _DEFAULTS to the lead's defaults; numbers stay NULL when empty.
_DEFAULTS = {"source": "'import'", "status": "'new'", "do_not_contact": "false", "budget_confirmed": "false"}
COLUMNS = [*EDITABLE_FIELDS, "status"]
TEXT_FIELDS = [
    name
    for name in EDITABLE_FIELDS
    if name not in _DEFAULTS and isinstance(Lead._meta.get_field(name), models.CharField | models.TextField)
]
_UPDATABLE = [c for c in COLUMNS if c not in ("status",)]
_LINKS = ImportedLead._meta.db_table


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def writes_complete_leads() -> bool:
    """Whether this database's writer inserts new leads already scored and owned (PostgreSQL), or leaves scoring
    and assignment to a pass after the rows land."""
    return connection.vendor == "postgresql"


def copy_text(rows: Iterable[dict[str, Any]]) -> str:
    """Render validated rows in PostgreSQL's COPY text format, in email order, each led by its position.

    In email order, the statements below probe and extend the email indexes page by page.
    """
    ordered = sorted(rows, key=lambda row: row.get("email") or "")
    return "".join(
        f"{n}\t" + "\t".join([_copy_value(row.get(c)) for c in COLUMNS]) + "\n" for n, row in enumerate(ordered)
    )


def write_postgres(
    job: ImportJob, text: str, scoring: Scoring, *, into: BulkAssignment | None = None
) -> tuple[list[int], list[int]]:
    """COPY the chunk into a staging table, update the open leads it matches and insert the rest.

    Returns (created ids, updated ids). New leads assigned by the rules are added to `into` (for the digests).
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        # JIT compiling these one-off statements costs more than it saves; the insert sorts a chunk's rows in memory.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(f"CREATE TEMP TABLE import_stage (n integer, {_stage_columns()}, lead_id bigint) ON COMMIT DROP")
        cursor.copy_expert(f"COPY import_stage (n, {', '.join(COLUMNS)}) FROM STDIN", io.StringIO(text))
        # The staging table has no statistics; without this the planner may scan all leads for a few matches.
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        # Rows whose email belongs to an open lead update it (below); the unique index on open emails finds them.
        cursor.execute(
            "UPDATE import_stage s SET lead_id = l.id FROM leads_lead l WHERE s.email IS NOT NULL"
            " AND lower(l.email) = s.email AND NOT (l.status = 'converted') AND NOT (l.email = '')"
        )
        cursor.execute("SET LOCAL enable_hashjoin = on")
        cursor.execute("SET LOCAL enable_mergejoin = on")
        created_ids = _insert_new(cursor, job, scoring, now, into)
        # The few matched rows find their leads by primary key (a merge join would walk the whole key index).
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        updated_ids = _update_matched(cursor, job, now)
        # ON COMMIT DROP covers a crash; dropping now lets a caller's outer transaction run the next chunk.
        cursor.execute("DROP TABLE import_stage")
    return created_ids, updated_ids


def _stage_columns() -> str:
    """The staging table's columns: text for every text column (values are checked already), else the lead's types."""

    def stage_type(name: str) -> str:
        field = Lead._meta.get_field(name)
        return "text" if isinstance(field, models.CharField | models.TextField) else field.db_type(connection)

    return ", ".join(f"{name} {stage_type(name)}" for name in COLUMNS)


def _staged_new_rows() -> str:
    """The staged rows that become new leads, with the lead table's defaults, aliased as the lead table so that
    the scoring rules' SQL (compiled against leads_lead) reads them."""
    values = ", ".join(
        f"COALESCE(s.{c}, {_DEFAULTS[c]}) AS {c}"
        if c in _DEFAULTS
        else (f"COALESCE(s.{c}, '') AS {c}" if c in TEXT_FIELDS else f"s.{c}")
        for c in COLUMNS
    )
    return f"(SELECT s.n, {values} FROM import_stage s WHERE s.lead_id IS NULL) AS leads_lead"  # noqa: S608 - identifiers from the constant COLUMNS  # nosec B608


def _insert_new(cursor, job: ImportJob, scoring: Scoring, now, into: BulkAssignment | None) -> list[int]:
    """Insert the unmatched rows as complete leads: id, score, rating, owner, history, MQL and assigned events."""
    fit, fit_params = fit_sql(scoring)
    rating, rating_params = rating_sql("new_score", scoring)
    # The grade (scoring.grades) is the grade rules' points over the staged row; an MQL may need a minimum grade.
    grade, grade_params = lead_grade_sql(scoring)
    mql_grade, mql_grade_params = mql_grade_sql(f"({grade})", scoring)
    mql_grade_params = [*grade_params, *mql_grade_params] if mql_grade else []
    cursor.execute("SELECT pg_get_serial_sequence('leads_lead', 'id')")
    (sequence,) = cursor.fetchone()
    # First what the assignment rules look at, and the id each lead will get (so its events can be written).
    cursor.execute(
        f"SELECT n, nextval(%s::regclass), source, country, industry, employees, new_score, {rating}, email,"  # noqa: S608 - rule SQL compiled by the ORM, values are parameters  # nosec B608
        f" website, company, '', state, postal_code FROM (SELECT *, GREATEST(0, LEAST(100, {fit})) AS new_score"
        f" FROM {_staged_new_rows()}{evaluate_once()})"
        " AS scored",
        [sequence, *rating_params, *fit_params],
    )
    rows = cursor.fetchall()
    if not rows:
        return []
    routing = None
    if job.owner_id is not None:
        owners: dict[int, int] = {}
    else:
        routing = NewLeadRouting((row[1:] for row in rows), scope=job.created_by)
        owners = routing.owners()
    milestones, milestones_params = mql_events_sql("inserted", "mql_at IS NOT NULL", scoring)
    columns = ", ".join(COLUMNS)
    # ON CONFLICT: an open lead with the email created since the lookup above keeps it; this row is skipped.
    cursor.execute(
        "WITH inserted AS ("  # noqa: S608 - identifiers from the constant COLUMNS, rule SQL compiled by the ORM, values are parameters  # nosec B608
        f" INSERT INTO leads_lead (id, {columns}, owner_id, unqualified_reason, score, rating, grade, scored_at,"
        " mql_at, qualified_at, created_at, updated_at)"
        f" SELECT d.id, {columns}, COALESCE(d.owner_id, %s), '', new_score, {rating}, {grade}, %s,"
        f" CASE WHEN new_score >= %s{mql_grade} THEN %s END, CASE WHEN status = 'qualified' THEN %s END, %s, %s"
        f" FROM {_staged_new_rows()}"
        " JOIN unnest(%s::integer[], %s::bigint[], %s::bigint[], %s::integer[]) AS d(n, id, owner_id, new_score)"
        " USING (n) ORDER BY n"
        " ON CONFLICT DO NOTHING RETURNING id, email, status, score, mql_at)"
        " , history AS (INSERT INTO leads_leadstatuschange (lead_id, from_status, to_status, changed_by_id,"
        " changed_at, reason) SELECT id, '', status, %s, %s, 'Imported' FROM inserted)"
        f" , linked AS (INSERT INTO {_LINKS} (job_id, lead_id, created) SELECT %s, id, true FROM inserted)"
        f" , milestones AS ({milestones})"
        " SELECT id FROM inserted",
        [
            job.owner_id,
            *rating_params,
            *grade_params,
            now,
            scoring.mql_threshold,
            *mql_grade_params,
            now,
            now,
            now,
            now,
            [row[0] for row in rows],
            [row[1] for row in rows],
            [owners.get(row[1]) for row in rows],
            [row[6] for row in rows],
            job.created_by_id,
            now,
            job.pk,
            *milestones_params,
        ],
    )
    created_ids = [r[0] for r in cursor.fetchall()]
    if routing is not None:
        routing.record(created_ids, by=job.created_by, into=into if into is not None else BulkAssignment())
    return created_ids


def _update_matched(cursor, job: ImportJob, now) -> list[int]:
    """Update the open leads the chunk matched and link them to the job; a row identical to its lead writes nothing
    (re-importing the same file is cheap and changes nothing). Updated leads are marked unscored for the rescoring
    pass. A lead this job created in an earlier chunk keeps its "created" link."""
    sets = ", ".join(f"{c} = COALESCE(s.{c}, l.{c})" for c in _UPDATABLE)
    changed = " OR ".join(f"(s.{c} IS NOT NULL AND s.{c} IS DISTINCT FROM l.{c})" for c in _UPDATABLE)
    cursor.execute(
        f"WITH updated AS (UPDATE leads_lead l SET {sets}, scored_at = NULL, updated_at = %s"  # noqa: S608 - identifiers from the constant _UPDATABLE and model metadata, values are parameters  # nosec B608
        " FROM import_stage s WHERE l.id = s.lead_id AND NOT (l.status = 'converted')"
        f" AND ({changed}) RETURNING l.id)"
        f" , linked AS (INSERT INTO {_LINKS} (job_id, lead_id, created) SELECT %s, id, false FROM updated"
        " ON CONFLICT DO NOTHING)"
        " SELECT id FROM updated",
        [now, job.pk],
    )
    return [r[0] for r in cursor.fetchall()]


def write_portable(
    job: ImportJob, rows: list[dict[str, Any]], *, into: BulkAssignment | None = None
) -> tuple[list[int], list[int]]:
    """Upsert the chunk with the ORM's bulk operations (SQLite and any other database); returns (created ids,
    updated ids). The new leads are scored, and the unowned ones assigned in the importer's scope, before the
    chunk commits: left unowned, the assignment sweeper would route them by the global rules. Leads the rules
    assigned are added to `into` (for the digests)."""
    now = timezone.now()
    emails = [r["email"] for r in rows if r.get("email")]
    existing: dict[str, Lead] = {}
    for start in range(0, len(emails), 500):
        batch = emails[start : start + 500]
        for lead in Lead.objects.exclude(status=Lead.Status.CONVERTED).filter(email__in=batch):
            existing[lead.email.lower()] = lead
    to_update, to_create = [], []
    for row in rows:
        lead = existing.get(row.get("email") or "")
        if lead is not None:
            changes = {n: row[n] for n in _UPDATABLE if row.get(n) is not None and row[n] != getattr(lead, n)}
            if changes:
                for name, value in changes.items():
                    setattr(lead, name, value)
                lead.scored_at, lead.updated_at = None, now
                to_update.append(lead)
            continue
        values = {k: v for k, v in row.items() if not k.startswith("_")}
        values.setdefault("source", LeadSource.IMPORT)
        lead = Lead(owner_id=job.owner_id, **values)
        if lead.status == Lead.Status.QUALIFIED:
            lead.qualified_at = now
        to_create.append(lead)
    Lead.objects.bulk_update(to_update, [*_UPDATABLE, "scored_at", "updated_at"], batch_size=500)
    created = Lead.objects.bulk_create(to_create, batch_size=500)
    LeadStatusChange.objects.bulk_create(
        [
            LeadStatusChange(
                lead=lead,
                from_status="",
                to_status=lead.status,
                changed_by=job.created_by,
                changed_at=now,
                reason="Imported",
            )
            for lead in created
        ],
        batch_size=500,
    )
    created_ids, updated_ids = [lead.pk for lead in created], [lead.pk for lead in to_update]
    ImportedLead.objects.bulk_create(
        [ImportedLead(job=job, lead_id=pk, created=True) for pk in created_ids]
        + [ImportedLead(job=job, lead_id=pk, created=False) for pk in updated_ids],
        batch_size=500,
        ignore_conflicts=True,  # a lead this job created in an earlier chunk keeps its "created" link
    )
    if created_ids:
        score_leads(created_ids)
        if job.owner_id is None:
            assign_leads_bulk(created_ids, by=job.created_by, scope=job.created_by, into=into, include_closed=True)
    return created_ids, updated_ids
