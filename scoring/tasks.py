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
def rescore_all_leads_bulk_task(reason: str = "rules changed", job_id: int | None = None) -> None:
    """Rescore every lead set-based (resuming an unfinished run; the lease sweeper passes its id, unused)."""
    from scoring.services import rescore_leads

    rescore_leads(reason=reason)


@shared_task(soft_time_limit=3_600, time_limit=3_660)
def rescore_changed_leads_task(reason: str = "changed leads") -> int:
    """Rescore only the leads whose facts or engagement changed since the last rescore; return how many changed."""
    from scoring.rescoring import rescore_changed_leads

    run = rescore_changed_leads(reason=reason)
    return run.leads_changed if run is not None else 0


@shared_task
def score_unscored_leads_task() -> int:
    """Score the leads that were never scored, e.g. because a kick was lost while the broker was down."""
    from scoring.services import score_unscored_leads

    return score_unscored_leads()


# Training reads every closed lead of the window; a million take about a minute on PostgreSQL (bench/predictive.py).
TRAIN_TASK = "scoring.tasks.train_conversion_model_task"


@shared_task(soft_time_limit=1_800, time_limit=1_860)
def train_conversion_model_task(by_id: int | None = None, job_id: int = 0) -> int | None:
    """Train a new version of the predictive model, then predict every open lead with it.

    Returns the new version, or None when there are too few closed leads (logged, not an error: the scoring page
    says how many more are needed) or another worker is training. The worker holds the training's one lease: if it
    stops, the lease sweeper re-queues the training, which starts over (nothing of a stopped training is stored;
    predictions are idempotent).
    """
    import logging

    from core.leases import holding
    from scoring.exceptions import NotEnoughHistory
    from scoring.predictive.prediction import predict_leads
    from scoring.predictive.training import train_conversion_model
    from users.models import User

    by = User.objects.filter(pk=by_id).first() if by_id is not None else None
    with holding("training", job_id, task=TRAIN_TASK) as held:
        if held is None:
            logging.getLogger(__name__).info("conversion model not trained: another worker is training it")
            return None
        try:
            model = train_conversion_model(by=by)
        except NotEnoughHistory as exc:
            logging.getLogger(__name__).info("conversion model not trained: %s", exc.detail)
            return None
        held.renew()
        predict_leads(model=model)
        return model.version
    return None  # the lease passed to another worker mid-training


@shared_task(soft_time_limit=1_800, time_limit=1_860)
def predict_leads_task(lead_ids: list[int] | None = None) -> int:
    """Refresh the conversion probability and reasons of these leads (every open lead when None)."""
    from scoring.predictive.prediction import predict_leads

    return predict_leads(lead_ids)
