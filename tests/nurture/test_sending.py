"""Sending due steps: once per step, exits re-checked at send time, window and cap, crash policy."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from activities.models import Activity, Event
from leads.models import Lead
from nurture.models import Delivery, Enrollment
from nurture.services.enrollment import enroll_lead
from nurture.services.sending import claim_due_batch, mark_stale_deliveries_unknown, send_due_steps
from tests.factories import AccountFactory, LeadFactory, SequenceFactory, StepFactory


def make_due(enrollment: Enrollment) -> None:
    Enrollment.objects.filter(pk=enrollment.pk, status="active").update(
        next_send_at=timezone.now() - timedelta(seconds=1)
    )


@pytest.fixture
def lead(rep):
    return LeadFactory(owner=rep, first_name="Ada", company="Engines", email="ada@engines.example")


def test_an_enrolled_lead_gets_the_first_step_once_with_one_click_unsubscribe_headers(lead, sequence, rep, settings):
    enrollment = enroll_lead(lead, sequence=sequence, by=rep)

    assert send_due_steps() == 1
    assert send_due_steps() == 0

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Welcome Ada"
    assert message.to == ["Ada " + lead.last_name + " <ada@engines.example>"]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith(settings.SITE_URL + "/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.SENT and delivery.message_id == message.extra_headers["Message-ID"]
    enrollment.refresh_from_db()
    assert enrollment.current_step.order == 2
    assert enrollment.next_send_at > timezone.now() + timedelta(days=1, hours=23)
    event = Event.objects.get(kind="nurture_email")
    assert event.lead == lead and event.summary == "Nurture email sent: Welcome Ada"


def test_every_step_is_sent_once_and_then_the_enrollment_completes(lead, sequence, rep):
    enrollment = enroll_lead(lead, sequence=sequence, by=rep)
    for _ in range(5):
        send_due_steps()
        make_due(enrollment)  # time passes: the next step's delay is over

    assert [m.subject for m in mail.outbox] == ["Welcome Ada", "Tips for Engines", "Demo?"]
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.COMPLETED and enrollment.next_send_at is None
    assert Delivery.objects.filter(status="sent").count() == 3
    assert Event.objects.filter(kind="nurture_email", lead=lead).count() == 3


def _converted(lead):
    Lead.objects.filter(pk=lead.pk).update(
        status="converted", converted_at=timezone.now(), converted_account=AccountFactory()
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda lead: Lead.objects.filter(pk=lead.pk).update(unsubscribed_at=timezone.now()), "unsubscribed"),
        (lambda lead: Lead.objects.filter(pk=lead.pk).update(do_not_contact=True), "do_not_contact"),
        (_converted, "converted"),
        (lambda lead: Lead.objects.filter(pk=lead.pk).update(status="qualified"), "qualified"),
        (lambda lead: Lead.objects.filter(pk=lead.pk).update(status="unqualified"), "unqualified"),
        (lambda lead: Activity.objects.create(lead=lead, kind="email", subject="Re: Welcome"), "replied"),
        (lambda lead: Activity.objects.create(lead=lead, kind="meeting", subject="Intro call"), "replied"),
    ],
)
def test_an_exit_between_scheduling_and_sending_stops_the_enrollment_and_nothing_is_sent(
    lead, sequence, rep, change, reason
):
    enrollment = enroll_lead(lead, sequence=sequence, by=rep)
    change(lead)  # a write that bypassed the exit hooks (or whose kick was lost)

    send_due_steps()

    assert mail.outbox == []
    assert not Delivery.objects.exists()
    enrollment.refresh_from_db()
    assert (enrollment.status, enrollment.stop_reason) == ("stopped", reason)
    assert Event.objects.filter(kind="nurture_stopped", lead=lead).exists()


def test_reaching_mql_stops_only_sequences_that_ask_for_it(lead, sequence, rep):
    strict = SequenceFactory(exit_on_mql=True)
    StepFactory(sequence=strict, order=1)
    enroll_lead(lead, sequence=sequence, by=rep)
    strict_enrollment = enroll_lead(lead, sequence=strict, by=rep)
    Lead.objects.filter(pk=lead.pk).update(mql_at=timezone.now(), score=60)

    send_due_steps()

    assert [m.subject for m in mail.outbox] == ["Welcome Ada"]
    strict_enrollment.refresh_from_db()
    assert strict_enrollment.stop_reason == "mql"


def test_a_reply_logged_before_enrolling_does_not_stop_the_sequence(lead, sequence, rep):
    Activity.objects.create(lead=lead, kind="email", subject="Earlier thread")
    enroll_lead(lead, sequence=sequence, by=rep)

    assert send_due_steps() == 1


def test_a_due_step_outside_the_sending_window_is_moved_to_the_window_not_sent(lead, rep):
    office = SequenceFactory(send_days="01234", send_start_hour=9, send_end_hour=17, time_zone="Europe/Berlin")
    StepFactory(sequence=office, order=1)
    enrollment = enroll_lead(lead, sequence=office, by=rep)
    saturday = datetime(2030, 3, 9, 12, 0, tzinfo=UTC)
    Enrollment.objects.filter(pk=enrollment.pk).update(next_send_at=saturday - timedelta(hours=1))

    result = claim_due_batch(now=saturday)

    assert result.to_send == []
    enrollment.refresh_from_db()
    assert enrollment.next_send_at == datetime(2030, 3, 11, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin
    assert not Delivery.objects.exists()


def test_the_daily_cap_pushes_the_rest_to_the_next_sending_day(rep):
    capped = SequenceFactory(daily_cap=2, send_days="01234", send_start_hour=9, send_end_hour=17, time_zone="UTC")
    StepFactory(sequence=capped, order=1)
    StepFactory(sequence=capped, order=2, delay_days=1)
    leads = [LeadFactory(owner=rep) for _ in range(3)]
    thursday = datetime(2030, 3, 7, 10, 0, tzinfo=UTC)
    for lead in leads:
        enrollment = enroll_lead(lead, sequence=capped, by=rep)
        Enrollment.objects.filter(pk=enrollment.pk).update(next_send_at=thursday - timedelta(minutes=5))

    sent = claim_due_batch(now=thursday).to_send

    assert len(sent) == 2
    waiting = Enrollment.objects.get(deliveries__isnull=True)
    assert waiting.next_send_at == datetime(2030, 3, 8, 9, 0, tzinfo=UTC)
    assert claim_due_batch(now=thursday + timedelta(hours=1)).to_send == []  # still capped later that day


def test_a_crash_after_claiming_never_sends_the_step_twice_and_leaves_it_unknown(lead, sequence, rep):
    enrollment = enroll_lead(lead, sequence=sequence, by=rep)
    claimed = claim_due_batch()  # the sender dies here: committed claim, no email handed over
    assert len(claimed.to_send) == 1

    assert send_due_steps() == 0
    make_due(enrollment)
    send_due_steps()  # the next step goes out; the claimed one never does

    assert [m.subject for m in mail.outbox] == ["Tips for Engines"]
    Delivery.objects.update(created_at=timezone.now() - timedelta(hours=1))
    assert mark_stale_deliveries_unknown() == 1
    first = Delivery.objects.get(step__order=1)
    assert first.status == Delivery.Status.UNKNOWN
    assert mark_stale_deliveries_unknown() == 0


def test_a_backend_error_marks_the_delivery_failed_and_is_not_retried(lead, sequence, rep, settings):
    settings.EMAIL_BACKEND = "tests.nurture.backends.RefusingBackend"
    enroll_lead(lead, sequence=sequence, by=rep)

    assert send_due_steps() == 0
    assert send_due_steps() == 0

    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert "refused" in delivery.error


def test_an_inactive_sequence_sends_nothing_until_it_is_active_again(lead, sequence, rep):
    enroll_lead(lead, sequence=sequence, by=rep)
    sequence.active = False
    sequence.save()

    assert send_due_steps() == 0
    sequence.active = True
    sequence.save()
    assert send_due_steps() == 1


def test_the_html_body_escapes_lead_values_and_carries_the_unsubscribe_link(rep):
    html_sequence = SequenceFactory()
    StepFactory(sequence=html_sequence, order=1, body_html="<p>Hi {{ first_name }}</p>")
    lead = LeadFactory(owner=rep, first_name="<b>Bob</b>")
    enroll_lead(lead, sequence=html_sequence, by=rep)

    send_due_steps()

    html, mime = mail.outbox[0].alternatives[0]
    assert mime == "text/html"
    assert "<p>Hi &lt;b&gt;Bob&lt;/b&gt;</p>" in html
    assert mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>") in html


def test_many_due_steps_are_sent_in_batches_with_a_bounded_number_of_queries(
    rep, sequence, django_assert_max_num_queries
):
    for _ in range(30):
        enroll_lead(LeadFactory(owner=rep), sequence=sequence, by=rep)

    with django_assert_max_num_queries(12):
        result = claim_due_batch(batch_size=30)

    assert len(result.to_send) == 30
