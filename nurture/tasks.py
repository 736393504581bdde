"""Nurture tasks: kicks that take ids and re-read; the database says what is due."""

from celery import shared_task

# The sender stops claiming after this many seconds so one run never overlaps the hard time limit;
# the next beat tick carries on where it stopped.
SEND_TIME_BUDGET = 240


@shared_task(ignore_result=True)
def send_due_steps_task() -> int:
    """Claim and send every due nurture step (beat, every minute); a concurrent run takes other rows."""
    from nurture.services.sending import send_due_steps

    return send_due_steps(time_budget=SEND_TIME_BUDGET)


@shared_task(ignore_result=True)
def evaluate_lead_nurture_task(lead_id: int) -> None:
    """Stop a lead's enrollments whose exit conditions hold, then enrol it by the sequences' rules."""
    from nurture.services.enrollment import apply_exit_conditions, enroll_lead_by_rules

    apply_exit_conditions(lead_id)
    enroll_lead_by_rules(lead_id)


@shared_task(ignore_result=True)
def stop_lead_nurture_task(lead_id: int, reason: str) -> None:
    """Stop every open enrollment of a lead with `reason` (e.g. converted); a repeat changes nothing."""
    from nurture.services.enrollment import stop_enrollments

    stop_enrollments(lead_id, reason=reason)


@shared_task(ignore_result=True)
def sweep_nurture_task() -> None:
    """Repair what lost kicks missed: enrol leads matching rules, send record emails, flag dead senders' rows."""
    from nurture.services.enrollment import sweep_rule_enrollments
    from nurture.services.record_email import sweep_record_emails
    from nurture.services.sending import mark_stale_deliveries_unknown

    sweep_rule_enrollments()
    mark_stale_deliveries_unknown()
    sweep_record_emails()


@shared_task(ignore_result=True)
def send_record_email_task(record_email_id: int) -> None:
    """Send one email written on a lead's or contact's page; a second run finds it claimed and does nothing."""
    from nurture.services.record_email import send_record_email

    send_record_email(record_email_id)
