"""Webhook tasks: kicks; the database says which deliveries are due."""

from celery import shared_task

# The dispatcher stops claiming after this many seconds, well inside the task time limit; the next kick or beat
# tick carries on.
DISPATCH_TIME_BUDGET = 50


@shared_task(ignore_result=True)
def deliver_webhooks_task() -> int:
    """Send every due webhook delivery (beat, every 10 s, and after each write that queued messages)."""
    from integrations.webhooks.delivery import dispatch_due_deliveries

    return dispatch_due_deliveries(time_budget=DISPATCH_TIME_BUDGET)
