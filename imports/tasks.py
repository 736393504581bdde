"""Background kicks of CSV imports: ids in; a job resumes from its last committed chunk."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=4 * 3600, time_limit=4 * 3600 + 300)
def run_import_bulk_task(job_id: int) -> None:
    """Run an import job from its last committed chunk; a duplicate delivery finds it claimed or done."""
    from imports.services import run_import

    run_import(job_id)


@shared_task(acks_late=True)
def resume_stale_imports_bulk_task() -> None:
    """Re-queue imports whose worker stopped beating (crash, deploy); each resumes after its last chunk."""
    from imports.services import list_stale_imports

    for job_id in list_stale_imports():
        run_import_bulk_task.delay(job_id)


@shared_task(acks_late=True)
def purge_import_files_task() -> int:
    """Delete the uploaded CSVs of imports that ended FUNNEL_IMPORT_FILE_DAYS ago (daily on beat)."""
    from imports.services import purge_import_files

    return purge_import_files()
