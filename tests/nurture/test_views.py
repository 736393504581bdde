"""Enrolling leads by hand from the lead page and the lead list, and what the lead page shows about nurture."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead
from nurture.models import Delivery, Enrollment
from nurture.services.enrollment import enroll_lead
from tests.factories import AccountFactory, LeadFactory, SequenceFactory

pytestmark = pytest.mark.django_db


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_a_rep_enrolls_their_lead_from_its_page_and_sees_the_enrollment(client, rep, sequence):
    lead = LeadFactory(owner=rep, email="ada@engines.example")
    client.force_login(rep)

    response = client.post(reverse("nurture:enroll", args=[lead.pk]), {"sequence": sequence.pk}, follow=True)

    enrollment = Enrollment.objects.get(lead=lead)
    assert enrollment.sequence == sequence and enrollment.enrolled_by == rep
    assert response.redirect_chain[-1][0] == reverse("leads:detail", args=[lead.pk])
    content = response.content.decode()
    assert f"{lead.full_name} is enrolled in “Welcome”." in content
    assert f'data-enrollment="{enrollment.pk}"' in content
    assert "Next email" in content and "No email sent yet" in content


def test_another_reps_lead_cannot_be_enrolled_and_answers_404(client, rep, other_rep, sequence):
    lead = LeadFactory(owner=rep)
    client.force_login(other_rep)

    response = client.post(reverse("nurture:enroll", args=[lead.pk]), {"sequence": sequence.pk})

    assert response.status_code == 404
    assert not Enrollment.objects.exists()


def test_enrolling_needs_a_post_and_a_sequence(client, rep, sequence):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)
    url = reverse("nurture:enroll", args=[lead.pk])

    assert client.get(url).status_code == 405
    response = client.post(url, {"sequence": ""}, follow=True)
    inactive = SequenceFactory(active=False)
    refused = client.post(url, {"sequence": inactive.pk}, follow=True)

    assert "Choose a sequence." in _messages(response)
    assert "Choose an active sequence with steps." in _messages(refused)
    assert not Enrollment.objects.exists()


def test_a_lead_that_cannot_be_nurtured_is_refused_with_a_message(client, rep, sequence):
    lead = LeadFactory(owner=rep, do_not_contact=True)
    client.force_login(rep)

    response = client.post(reverse("nurture:enroll", args=[lead.pk]), {"sequence": sequence.pk}, follow=True)
    twice = LeadFactory(owner=rep)
    enroll_lead(twice, sequence=sequence, by=rep)
    again = client.post(reverse("nurture:enroll", args=[twice.pk]), {"sequence": sequence.pk}, follow=True)

    assert "This lead cannot be nurtured: do not contact." in _messages(response)
    assert "This lead is already enrolled in this sequence." in _messages(again)
    assert Enrollment.objects.count() == 1


def test_the_lead_page_shows_the_last_delivery_and_the_unsubscribed_state(client, rep, sequence):
    lead = LeadFactory(owner=rep, first_name="Grace")
    enrollment = enroll_lead(lead, sequence=sequence, by=rep)
    Delivery.objects.create(enrollment=enrollment, step=enrollment.current_step, status="sent")
    Lead.objects.filter(pk=lead.pk).update(unsubscribed_at=timezone.now())
    client.force_login(rep)

    content = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "Last email" in content and "Last email" in content and "“Welcome Grace”" in content
    assert "Unsubscribed</span> on" in content
    assert "Enroll in sequence" not in content


def test_a_converted_lead_has_no_nurture_block(client, rep, sequence):
    lead = LeadFactory(owner=rep)
    Lead.objects.filter(pk=lead.pk).update(
        status=Lead.Status.CONVERTED, converted_at=timezone.now(), converted_account=AccountFactory(owner=rep)
    )
    client.force_login(rep)

    content = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "data-nurture" not in content and "Enroll in sequence" not in content


def test_bulk_enroll_confirms_then_enrolls_visible_leads_and_reports_the_skipped(client, rep, other_rep, sequence):
    ada = LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace")
    blocked = LeadFactory(owner=rep, first_name="Bo", last_name="Blocked", do_not_contact=True)
    theirs = LeadFactory(owner=other_rep, first_name="Theo", last_name="Theirs")
    client.force_login(rep)
    url = reverse("nurture:bulk_enroll")
    ids = [ada.pk, blocked.pk, theirs.pk]

    confirm = client.post(url, {"ids": ids, "next": "/leads/?status=all"})
    assert confirm.status_code == 200
    content = confirm.content.decode()
    assert "Lovelace" in content and "Blocked" in content and "Theirs" not in content
    assert "Yes, enroll 2 leads" in content
    assert not Enrollment.objects.exists()

    done = client.post(url, {"ids": ids, "sequence": sequence.pk, "confirm": "on", "next": "/leads/?status=all"})

    assert done.status_code == 302 and done["Location"] == "/leads/?status=all"
    assert list(Enrollment.objects.values_list("lead_id", flat=True)) == [ada.pk]
    shown = _messages(done)
    assert "1 lead enrolled in “Welcome”." in shown
    assert "2 skipped — 1 not found; Bo Blocked: This lead cannot be nurtured: do not contact." in shown


def test_bulk_enroll_without_a_sequence_asks_again_and_without_leads_goes_back(client, rep, sequence):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)
    url = reverse("nurture:bulk_enroll")

    again = client.post(url, {"ids": [lead.pk], "confirm": "on"})
    nothing = client.post(url, {"sequence": sequence.pk})

    assert again.status_code == 400 and "Choose a sequence." in again.content.decode()
    assert nothing.status_code == 302 and "Select some leads first." in _messages(nothing)
    assert not Enrollment.objects.exists()


def test_the_lead_list_bulk_bar_posts_enrollment_to_nurture(client, rep):
    LeadFactory(owner=rep)
    client.force_login(rep)

    content = client.get(reverse("leads:list")).content.decode()

    assert f'formaction="{reverse("nurture:bulk_enroll")}"' in content
