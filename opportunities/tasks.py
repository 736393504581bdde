"""Opportunity tasks: kicks that re-read the database."""

from celery import shared_task


@shared_task(ignore_result=True)
def take_forecast_snapshots_task() -> int:
    """Snapshot every rep's forecast for this week (beat, weekly); a second run in the week writes nothing."""
    from django.utils import timezone

    from opportunities.forecasting import take_forecast_snapshots

    return take_forecast_snapshots(timezone.now())
