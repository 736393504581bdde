"""Dashboard tasks: kicks that re-read the database, which says whose digest is due."""

from celery import shared_task


@shared_task(ignore_result=True)
def send_weekly_digests_task() -> int:
    """Send each manager's weekly digest once, Monday from 07:00 in their zone (beat, hourly)."""
    from dashboards.digest import send_weekly_digests

    return send_weekly_digests()


@shared_task(ignore_result=True)
def fold_funnel_rollup_task() -> int:
    """Fold the funnel rollup's appended changes into its day rows (beat, every minute; readers sum both anyway)."""
    from dashboards.funnel_rollup import fold_deltas

    return fold_deltas()
