"""Background kicks for leads."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def notify_conversion_task(lead_id: int) -> None:
    """Email the owner of a converted lead's new records once; a second run finds the notice already sent."""
    from leads.services.notifications import notify_conversion

    notify_conversion(lead_id)


# An import of millions of rows runs for minutes: it gets its own limits, far above the default short-task ones.
@shared_task(acks_late=True, soft_time_limit=4 * 3600, time_limit=4 * 3600 + 300)
def run_import_bulk_task(job_id: int) -> None:
    """Run an import job from its last committed chunk; a duplicate delivery finds it claimed or done."""
    from leads.services.importing import run_import

    run_import(job_id)


@shared_task(acks_late=True)
def resume_stale_imports_bulk_task() -> None:
    """Re-queue imports whose worker stopped beating (crash, deploy); each resumes after its last chunk."""
    from leads.services.importing import list_stale_imports

    for job_id in list_stale_imports():
        run_import_bulk_task.delay(job_id)
