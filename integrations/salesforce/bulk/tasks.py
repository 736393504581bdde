"""Background runs of Bulk API 2.0 jobs: ids in; a job resumes from its last committed chunk."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True, soft_time_limit=4 * 3600, time_limit=4 * 3600 + 300)
def run_bulk_job_bulk_task(job_id: int) -> None:
    """Run a closed job from its last committed chunk; a duplicate delivery finds it claimed or done."""
    from integrations.salesforce.bulk.running import run_job

    run_job(job_id)


@shared_task(acks_late=True)
def sweep_bulk_jobs_bulk_task() -> None:
    """Re-queue closed jobs nobody runs (a lost kick, a stopped worker) and delete week-old jobs (on beat)."""
    from integrations.salesforce.bulk.running import list_stale_jobs, purge_old_jobs

    for job_id in list_stale_jobs():
        run_bulk_job_bulk_task.delay(job_id)
    purge_old_jobs()
