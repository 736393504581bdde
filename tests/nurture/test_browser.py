"""The unsubscribe flow end to end: the link in a sent email, opened in Chromium."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from leads.models import Lead
from nurture.models import Enrollment
from nurture.services.enrollment import enroll_lead
from nurture.services.sending import send_due_steps
from tests.factories import LeadFactory, SequenceFactory, StepFactory, UserFactory


@pytest.mark.chromium
@pytest.mark.django_db(transaction=True)
def test_a_lead_unsubscribes_from_the_link_in_its_email_and_gets_no_further_steps(live_server, settings, page):
    settings.SITE_URL = live_server.url
    rep = UserFactory(username="browser-rep")
    sequence = SequenceFactory()
    StepFactory(sequence=sequence, order=1, subject="Welcome {{ first_name }}")
    StepFactory(sequence=sequence, order=2, delay_days=2, subject="Second")
    lead = LeadFactory(owner=rep, first_name="Ada", email="ada@engines.example")
    enrollment = enroll_lead(lead, sequence=sequence, by=rep)
    send_due_steps()
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")

    page.goto(link)
    assert "ada@engines.example" in page.inner_text("main")
    page.get_by_role("button", name="Unsubscribe").click()
    page.wait_for_selector("text=You are unsubscribed")
    assert "will not receive these emails again" in page.get_by_role("status").inner_text()

    assert Lead.objects.get(pk=lead.pk).unsubscribed_at is not None
    Enrollment.objects.filter(pk=enrollment.pk).update(next_send_at=timezone.now() - timedelta(seconds=1))
    assert send_due_steps() == 0
    assert [m.subject for m in mail.outbox] == ["Welcome Ada"]
    assert Enrollment.objects.get(pk=enrollment.pk).stop_reason == "unsubscribed"
