"""Erasing a person from imports: their rows in error reports, and the uploaded files that held them."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from core.text import normalize_email
from imports.models import ImportedLead, ImportJob, ImportRowError


def list_person_import_rows(email: str, *, lead_ids: list[int]) -> dict[str, list[dict]]:
    """Return the error-report rows that carried `email` and the imports that created or updated `lead_ids`."""
    errors = ImportRowError.objects.filter(_person_rows(email)).order_by("job_id", "row", "id")
    links = ImportedLead.objects.filter(lead_id__in=lead_ids).select_related("job").order_by("job_id", "lead_id")
    return {
        "import_errors": [
            {"import": e.job_id, "row": e.row, "column": e.column, "message": e.message, "value": e.value}
            for e in errors
        ],
        "imported_by": [
            {"import": link.job_id, "file": link.job.original_name, "lead": link.lead_id, "created": link.created}
            for link in links
        ],
    }


def _person_rows(email: str) -> Q:
    """Every error of a row where one error carried `email`: its other errors show the person's other cells."""
    pairs = ImportRowError.objects.filter(value__iexact=normalize_email(email)).values_list("job_id", "row")
    condition = Q(pk__in=[])
    for job_id, row in set(pairs):
        condition |= Q(job_id=job_id, row=row)
    return condition


@transaction.atomic
def purge_person_from_imports(email: str, *, lead_ids: list[int]) -> dict[str, int]:
    """Delete the error-report rows that carried `email`, and the uploaded CSVs of ended imports that held the person.

    A file goes from the storage after commit; the job, its counters and the rest of its report stay.
    """
    condition = _person_rows(email)
    job_ids = set(ImportRowError.objects.filter(condition).values_list("job_id", flat=True))
    job_ids |= set(ImportedLead.objects.filter(lead_id__in=lead_ids).values_list("job_id", flat=True))
    rows, _ = ImportRowError.objects.filter(condition).delete()
    ended = [ImportJob.Status.DONE, ImportJob.Status.FAILED]
    files = 0
    for job in ImportJob.objects.select_for_update().filter(pk__in=job_ids, status__in=ended).exclude(file=""):
        storage, name = job.file.storage, job.file.name
        job.file = ""
        job.save(update_fields=["file", "updated_at"])
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
        files += 1
    return {"import_error_rows_deleted": rows, "import_files_deleted": files}
