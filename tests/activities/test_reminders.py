"""Task reminders: each due reminder gives one notification and one email, whoever and however often runs."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from activities.models import Activity, Notification
from activities.reminders import claim_due_reminders, send_due_reminders, send_pending_reminder_emails
from activities.services import complete_task, log_activity, update_activity
from tests.factories import LeadFactory, UserFactory


def _task(owner, *, remind_in: timedelta, subject: str = "Call Ada back", due_in: timedelta = timedelta(hours=1)):
    now = timezone.now()
    lead = LeadFactory(owner=owner, first_name="Ada", last_name="Lovelace")
    return log_activity(
        by=owner, kind="task", subject=subject, due_at=now + due_in, remind_at=now + remind_in, lead=lead
    )


@pytest.mark.django_db
def test_a_due_reminder_notifies_and_emails_the_owner_once(rep):
    task = _task(rep, remind_in=-timedelta(minutes=1))
    mail.outbox = []

    assert send_due_reminders() == 1
    assert send_due_reminders() == 0

    notification = Notification.objects.get()
    assert (notification.user, notification.activity, notification.kind) == (rep, task, "reminder")
    assert notification.text.startswith("Reminder: Call Ada back")
    assert notification.url == f"/leads/{task.lead_id}/#timeline"
    assert notification.email_status == Notification.EmailStatus.SENT
    assert [m.to for m in mail.outbox] == [[rep.email]]
    assert "Reminder: Call Ada back" in mail.outbox[0].subject
    assert f"/leads/{task.lead_id}/#timeline" in mail.outbox[0].body


@pytest.mark.django_db
def test_a_reminder_not_yet_due_waits(rep):
    _task(rep, remind_in=timedelta(minutes=5))
    assert send_due_reminders() == 0
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_reminder_for_a_completed_task_is_not_sent(rep):
    task = _task(rep, remind_in=-timedelta(minutes=1))
    complete_task(task, by=rep)
    mail.outbox = []
    assert send_due_reminders() == 0
    assert not Notification.objects.exists() and mail.outbox == []


@pytest.mark.django_db
def test_a_new_reminder_time_is_sent_again_once(rep):
    task = _task(rep, remind_in=-timedelta(minutes=1))
    send_due_reminders()
    update_activity(task, by=rep, data={"remind_at": timezone.now() - timedelta(seconds=5)})
    send_due_reminders()
    send_due_reminders()
    assert Notification.objects.filter(activity=task).count() == 2


@pytest.mark.django_db
def test_an_email_left_pending_by_a_crash_is_sent_by_the_next_run_and_only_once(rep):
    # given: a sender claimed the reminder and committed its notification, then died before emailing
    _task(rep, remind_in=-timedelta(minutes=1))
    claim_due_reminders()
    mail.outbox = []
    # when: the next beat runs (twice)
    send_due_reminders()
    send_due_reminders()
    # then: the email went once, the notification still once
    assert len(mail.outbox) == 1 and Notification.objects.count() == 1


@pytest.mark.django_db
def test_an_email_a_sender_died_while_sending_is_never_sent_again(rep):
    _task(rep, remind_in=-timedelta(minutes=1))
    claim_due_reminders()
    Notification.objects.update(email_status=Notification.EmailStatus.SENDING)
    mail.outbox = []
    send_due_reminders()
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_failing_mail_server_marks_the_email_failed_and_keeps_the_notification(rep, settings):
    settings.EMAIL_BACKEND = "tests.activities.test_reminders.BrokenBackend"
    _task(rep, remind_in=-timedelta(minutes=1))
    send_due_reminders()
    assert Notification.objects.get().email_status == Notification.EmailStatus.FAILED
    assert send_pending_reminder_emails() == 0


@pytest.mark.django_db
def test_an_owner_without_email_gets_the_notification_only(rep):
    rep.email = ""
    rep.save(update_fields=["email"])
    _task(rep, remind_in=-timedelta(minutes=1))
    mail.outbox = []
    send_due_reminders()
    assert Notification.objects.get().email_status == Notification.EmailStatus.NONE and mail.outbox == []


@pytest.mark.django_db
def test_only_a_task_carries_a_reminder(rep):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        log_activity(by=rep, kind="note", subject="N", remind_at=timezone.now(), lead=LeadFactory(owner=rep))
    assert "remind_at" in exc.value.error_dict
    assert not Activity.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_senders_racing_send_each_reminder_exactly_once():
    # given: thirty due reminders of two reps
    owners = [UserFactory(username="race-a"), UserFactory(username="race-b")]
    tasks = [_task(owners[i % 2], remind_in=-timedelta(minutes=1), subject=f"Task {i}") for i in range(30)]
    mail.outbox = []
    barrier, errors = threading.Barrier(2), []

    def sender() -> None:
        try:
            barrier.wait()
            send_due_reminders()
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    # when: two workers run the beat job at the same moment
    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then: one notification and one email per task
    assert errors == []
    assert sorted(Notification.objects.values_list("activity_id", flat=True)) == sorted(t.pk for t in tasks)
    assert sorted(m.subject for m in mail.outbox) == sorted(f"Reminder: Task {i}" for i in range(30))
    assert not Notification.objects.exclude(email_status=Notification.EmailStatus.SENT).exists()


class BrokenBackend:
    def __init__(self, *args, **kwargs) -> None:
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")
