"""Background kicks of scoring: ids in, the services re-read the database; running one twice changes nothing."""

from __future__ import annotations

from celery import shared_task


@shared_task
def score_lead_task(lead_id: int) -> None:
    """Score one lead and stamp its MQL milestone once."""
    from scoring.services import score_lead

    score_lead(lead_id)


# A million leads take well under the limit on PostgreSQL; a run cut short resumes from its last chunk.
@shared_task(soft_time_limit=3_600, time_limit=3_660)
def rescore_all_leads_bulk_task(reason: str = "rules changed") -> None:
    """Rescore every lead set-based (resuming an unfinished run)."""
    from scoring.services import rescore_leads

    rescore_leads(reason=reason)


@shared_task
def score_unscored_leads_task() -> int:
    """Score the leads that were never scored, e.g. because a kick was lost while the broker was down."""
    from scoring.services import score_unscored_leads

    return score_unscored_leads()
