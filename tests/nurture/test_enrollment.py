"""Enrollment by rule (after commit), by hand, by the sweeper; exits applied when the lead changes."""

import pytest
from django.utils import timezone

from activities.models import Event
from core.events import publish
from leads.events import LeadEvent
from leads.models import Lead
from leads.services.capture import change_lead_status, create_lead, update_lead
from nurture.exceptions import LeadAlreadyEnrolled, LeadNotEnrollable, SequenceNotEnrollable
from nurture.models import Enrollment
from nurture.services.enrollment import enroll_lead, stop_enrollments, sweep_rule_enrollments
from nurture.services.sending import send_due_steps
from scoring.events import ScoringEvent
from tests.factories import AccountFactory, LeadFactory, SequenceFactory, StepFactory


@pytest.fixture
def nurturing_sequence(db):
    sequence = SequenceFactory(name="Nurturing", trigger="status_nurturing")
    StepFactory(sequence=sequence, order=1)
    StepFactory(sequence=sequence, order=2, delay_days=3)
    return sequence


def test_a_lead_moved_to_nurturing_is_enrolled_after_commit(
    rep, nurturing_sequence, django_capture_on_commit_callbacks
):
    lead = LeadFactory(owner=rep, status="working")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        change_lead_status(lead, to="nurturing", by=rep)

    assert callbacks, "enrollment is kicked only after commit"
    enrollment = Enrollment.objects.get(lead=lead)
    assert enrollment.sequence == nurturing_sequence and enrollment.status == "active"
    assert Event.objects.filter(lead=lead, kind="nurture_enrolled").exists()


def test_nothing_is_enrolled_before_the_status_change_commits(
    rep, nurturing_sequence, django_capture_on_commit_callbacks
):
    lead = LeadFactory(owner=rep, status="working")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change_lead_status(lead, to="nurturing", by=rep)

    assert len(callbacks) == 1
    assert not Enrollment.objects.exists()


def test_a_score_inside_the_band_enrols_and_outside_does_not(rep, django_capture_on_commit_callbacks):
    band = SequenceFactory(trigger="score_band", trigger_score_min=30, trigger_score_max=60)
    StepFactory(sequence=band, order=1)
    inside, outside = LeadFactory(owner=rep, score=45), LeadFactory(owner=rep, score=75)

    with django_capture_on_commit_callbacks(execute=True):
        publish(ScoringEvent.SCORE_CHANGED, inside)
        publish(ScoringEvent.SCORE_CHANGED, outside)

    assert list(Enrollment.objects.values_list("lead_id", flat=True)) == [inside.pk]


def test_a_lead_captured_from_the_sources_rule_is_enrolled(rep, django_capture_on_commit_callbacks):
    webinar = SequenceFactory(trigger="source", trigger_source="webinar")
    StepFactory(sequence=webinar, order=1)

    with django_capture_on_commit_callbacks(execute=True):
        lead = create_lead(by=rep, last_name="Hopper", email="grace@navy.example", source="webinar")
        create_lead(by=rep, last_name="Other", email="other@x.example", source="referral")

    assert list(Enrollment.objects.values_list("lead_id", flat=True)) == [lead.pk]


def test_manual_sequences_never_enrol_by_rule_and_a_rule_never_enrols_twice(
    rep, nurturing_sequence, sequence, django_capture_on_commit_callbacks
):
    lead = LeadFactory(owner=rep, status="working")
    with django_capture_on_commit_callbacks(execute=True):
        change_lead_status(lead, to="nurturing", by=rep)
    stop_enrollments(lead.pk, reason="manual")

    with django_capture_on_commit_callbacks(execute=True):
        update_lead(lead, by=rep, data={"title": "CTO"})

    assert Enrollment.objects.filter(lead=lead).count() == 1
    assert not Enrollment.objects.filter(sequence=sequence).exists()


def test_qualifying_the_lead_stops_its_nurture(rep, nurturing_sequence, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner=rep, status="working")
    with django_capture_on_commit_callbacks(execute=True):
        change_lead_status(lead, to="nurturing", by=rep)

    with django_capture_on_commit_callbacks(execute=True):
        change_lead_status(lead, to="qualified", by=rep)

    enrollment = Enrollment.objects.get(lead=lead)
    assert (enrollment.status, enrollment.stop_reason, enrollment.next_send_at) == ("stopped", "qualified", None)


def test_marking_do_not_contact_stops_its_nurture(rep, sequence, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner=rep)
    enroll_lead(lead, sequence=sequence, by=rep)

    with django_capture_on_commit_callbacks(execute=True):
        update_lead(lead, by=rep, data={"do_not_contact": True})

    assert Enrollment.objects.get(lead=lead).stop_reason == "do_not_contact"
    assert send_due_steps() == 0


def test_conversion_stops_every_enrollment_with_reason_converted(
    rep, sequence, nurturing_sequence, django_capture_on_commit_callbacks
):
    lead = LeadFactory(owner=rep, status="nurturing")
    enroll_lead(lead, sequence=sequence, by=rep)
    enroll_lead(lead, sequence=nurturing_sequence, by=rep)
    Lead.objects.filter(pk=lead.pk).update(
        status="converted", converted_at=timezone.now(), converted_account=AccountFactory()
    )

    with django_capture_on_commit_callbacks(execute=True):
        publish(LeadEvent.CONVERTED, lead)

    assert set(Enrollment.objects.values_list("status", "stop_reason")) == {("stopped", "converted")}


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"do_not_contact": True}, "do not contact"),
        ({"unsubscribed_at": timezone.now()}, "unsubscribed"),
        ({"email": ""}, "no email"),
    ],
)
def test_a_lead_that_may_not_be_emailed_cannot_be_enrolled(rep, sequence, fields, reason):
    lead = LeadFactory(owner=rep, **fields)

    with pytest.raises(LeadNotEnrollable, match=reason):
        enroll_lead(lead, sequence=sequence, by=rep)
    assert not Enrollment.objects.exists()


def test_a_lead_is_enrolled_once_per_sequence_at_a_time(rep, sequence):
    lead = LeadFactory(owner=rep)
    enroll_lead(lead, sequence=sequence, by=rep)

    with pytest.raises(LeadAlreadyEnrolled):
        enroll_lead(lead, sequence=sequence, by=rep)

    stop_enrollments(lead.pk, reason="manual")
    assert enroll_lead(lead, sequence=sequence, by=rep).status == "active"


def test_a_sequence_without_steps_or_inactive_takes_no_enrollment(rep):
    lead = LeadFactory(owner=rep)
    with pytest.raises(SequenceNotEnrollable, match="no steps"):
        enroll_lead(lead, sequence=SequenceFactory(), by=rep)
    inactive = SequenceFactory(active=False)
    StepFactory(sequence=inactive, order=1)
    with pytest.raises(SequenceNotEnrollable, match="inactive"):
        enroll_lead(lead, sequence=inactive, by=rep)


def test_the_sweeper_enrols_leads_whose_kick_was_lost_once(rep, nurturing_sequence):
    missed = LeadFactory(owner=rep, status="nurturing")  # created without going through the services
    LeadFactory(owner=rep, status="nurturing", do_not_contact=True)
    LeadFactory(owner=rep, status="working")

    assert sweep_rule_enrollments() == 1
    assert sweep_rule_enrollments() == 0
    assert list(Enrollment.objects.values_list("lead_id", flat=True)) == [missed.pk]
    assert send_due_steps() == 1
