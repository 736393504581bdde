"""Timeline tasks: kicks that re-read the database, which says what is due."""

from celery import shared_task

# The sender stops claiming after this many seconds, so a run ends before the next beat tick starts another.
SEND_TIME_BUDGET = 50.0


@shared_task(ignore_result=True)
def send_due_reminders_task() -> int:
    """Notify and email every due task reminder once (beat, every minute); a concurrent run takes other rows."""
    from activities.reminders import send_due_reminders

    return send_due_reminders(time_budget=SEND_TIME_BUDGET)
