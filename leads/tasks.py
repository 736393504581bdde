"""Background kicks for leads: ids in, the services re-read the database; running one twice changes nothing."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def notify_conversion_task(lead_id: int) -> None:
    """Email the owner of a converted lead's new records once; a second run finds the notice already sent."""
    from leads.services.notifications import notify_conversion

    notify_conversion(lead_id)


@shared_task
def score_lead_task(lead_id: int) -> None:
    """Score one lead and stamp its MQL milestone once."""
    from leads.services.scoring import score_lead

    score_lead(lead_id)


# A million leads take well under the limit on PostgreSQL; a run cut short resumes from its last chunk.
@shared_task(soft_time_limit=3_600, time_limit=3_660)
def rescore_all_leads_bulk_task(reason: str = "rules changed") -> None:
    """Rescore every lead set-based (resuming an unfinished run)."""
    from leads.services.scoring import rescore_leads

    rescore_leads(reason=reason)


@shared_task
def score_unscored_leads_task() -> int:
    """Score the leads that were never scored, e.g. because a kick was lost while the broker was down."""
    from leads.services.scoring import score_unscored_leads

    return score_unscored_leads()
