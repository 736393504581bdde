"""Background kicks of CSV imports: ids in; a job resumes from its last committed chunk."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=4 * 3600, time_limit=4 * 3600 + 300)
def run_import_bulk_task(job_id: int) -> None:
    """Run an import job from its last committed chunk; a duplicate delivery finds its lease held or the job done.

    The lease sweeper (core.leases) re-queues it when its worker stopped.
    """
    from imports.services import run_import

    run_import(job_id)


@shared_task(acks_late=True)
def purge_import_files_task() -> int:
    """Delete the uploaded CSVs of imports that ended FUNNEL_IMPORT_FILE_DAYS ago (daily on beat)."""
    from imports.services import purge_import_files

    return purge_import_files()
