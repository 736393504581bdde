"""The reminder beat job: scheduled every minute, and a second run finds nothing to do."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from activities.models import Notification
from activities.services import log_activity
from activities.tasks import send_due_reminders_task
from crm.celery import app
from tests.factories import LeadFactory


def test_the_reminder_job_runs_every_minute_on_beat():
    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "activities.tasks.send_due_reminders_task"]
    assert [e["schedule"] for e in entries] == [60.0]


@pytest.mark.django_db
def test_the_reminder_job_sends_a_due_reminder_and_a_second_run_changes_nothing(rep):
    due = timezone.now() + timedelta(minutes=10)
    log_activity(by=rep, kind="task", subject="Renewal", due_at=due, remind_at=due - timedelta(minutes=15),
                 lead=LeadFactory(owner=rep))  # fmt: skip
    mail.outbox = []
    assert send_due_reminders_task() == 1
    assert send_due_reminders_task() == 0
    assert Notification.objects.count() == 1 and len(mail.outbox) == 1
