"""Background kicks of conversion: ids in, a second run changes nothing."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def notify_conversion_task(lead_id: int) -> None:
    """Email the owner of a converted lead's new records once; a second run finds the notice already sent."""
    from conversion.notifications import notify_conversion

    notify_conversion(lead_id)
