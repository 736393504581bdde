"""The public unsubscribe link: GET asks, POST (page or RFC 8058 one-click) unsubscribes and stops nurture."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from activities.models import Event
from nurture.models import Enrollment
from nurture.services.enrollment import enroll_lead
from nurture.services.sending import send_due_steps
from nurture.tokens import make_unsubscribe_token
from tests.factories import LeadFactory


@pytest.fixture
def enrolled(rep, sequence):
    lead = LeadFactory(owner=rep, email="ada@engines.example")
    enroll_lead(lead, sequence=sequence, by=rep)
    return lead


def url_for(lead) -> str:
    return reverse("nurture:unsubscribe", args=[make_unsubscribe_token(lead.pk)])


def test_get_shows_a_confirmation_and_changes_nothing(client, enrolled):
    response = client.get(url_for(enrolled))

    assert response.status_code == 200
    assert b"ada@engines.example" in response.content and b'<form method="post">' in response.content
    enrolled.refresh_from_db()
    assert enrolled.unsubscribed_at is None
    assert Enrollment.objects.get().status == "active"


def test_one_click_post_from_a_mail_client_unsubscribes_without_a_csrf_token(enrolled):
    client = Client(enforce_csrf_checks=True)

    response = client.post(url_for(enrolled), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    enrolled.refresh_from_db()
    assert enrolled.unsubscribed_at is not None
    assert Enrollment.objects.get().stop_reason == "unsubscribed"
    event = Event.objects.get(kind="unsubscribed")
    assert event.lead == enrolled and event.data == {"channel": "one_click"}
    assert send_due_steps() == 0 and mail.outbox == []


def test_unsubscribing_twice_keeps_the_first_time_and_one_event(client, enrolled):
    client.post(url_for(enrolled))
    enrolled.refresh_from_db()
    first = enrolled.unsubscribed_at

    response = client.post(url_for(enrolled))

    assert response.status_code == 200
    enrolled.refresh_from_db()
    assert enrolled.unsubscribed_at == first
    assert Event.objects.filter(kind="unsubscribed").count() == 1
    assert b"already unsubscribed" in client.get(url_for(enrolled)).content


def test_every_enrollment_of_the_lead_stops(client, enrolled, rep):
    from tests.factories import SequenceFactory, StepFactory

    other = SequenceFactory()
    StepFactory(sequence=other, order=1)
    enroll_lead(enrolled, sequence=other, by=rep)

    client.post(url_for(enrolled))

    assert set(Enrollment.objects.values_list("status", flat=True)) == {"stopped"}


@pytest.mark.parametrize("token", ["garbage", "1:forged:signature", make_unsubscribe_token.__name__])
def test_a_forged_or_broken_token_answers_404_and_unsubscribes_nobody(client, enrolled, token):
    response = client.post(f"/unsubscribe/{token}/")

    assert response.status_code == 404
    enrolled.refresh_from_db()
    assert enrolled.unsubscribed_at is None


def test_a_token_signed_for_another_purpose_is_refused(client, enrolled):
    from django.core import signing

    token = signing.dumps(enrolled.pk, salt="something.else")

    assert client.post(f"/unsubscribe/{token}/").status_code == 404


def test_the_link_in_a_sent_email_unsubscribes_its_lead(client, enrolled):
    send_due_steps()
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    path = link.split("://", 1)[1].split("/", 1)[1]

    client.post("/" + path)

    enrolled.refresh_from_db()
    assert enrolled.unsubscribed_at is not None
