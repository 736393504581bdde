"""Privacy housekeeping on beat."""

from celery import shared_task


@shared_task(ignore_result=True)
def apply_retention_task() -> dict[str, int]:
    """Delete events, tracking hits and security events past their retention; a second run finds nothing."""
    from privacy.retention import apply_retention

    return apply_retention()
