"""Every link in an email starts with SITE_URL (FUNNEL_SITE_URL; `make run` sets it from its HOST and PORT)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from assignment.tasks import notify_new_owner_task
from conversion.services import convert_lead
from leads.models import Lead
from nurture.services.enrollment import enroll_lead
from nurture.services.sending import send_due_steps
from tests.factories import LeadFactory, SequenceFactory, StepFactory

SITE = "http://crm.test:8091"
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = SITE + "/"  # a trailing slash must not double the one of the path


def test_the_new_owner_notice_links_to_the_lead_on_the_site(rep):
    lead = LeadFactory(owner=rep)

    notify_new_owner_task(lead.pk, rep.pk)

    assert f"{SITE}/leads/{lead.pk}/" in mail.outbox[0].body
    assert ":8000" not in mail.outbox[0].body


def test_the_conversion_notice_links_to_the_new_opportunity_on_the_site(rep, django_capture_on_commit_callbacks):
    lead = LeadFactory(
        owner=rep,
        company="Acme",
        email="ada@acme.example",
        status=Lead.Status.QUALIFIED,
        qualified_at=timezone.now() - timedelta(days=1),
    )

    with django_capture_on_commit_callbacks(execute=True):
        conversion = convert_lead(lead, by=rep)

    assert f"{SITE}/opportunities/{conversion.opportunity.pk}/" in mail.outbox[0].body


def test_nurture_emails_carry_an_unsubscribe_link_on_the_site(rep):
    sequence = SequenceFactory(name="Welcome")
    StepFactory(sequence=sequence, order=1, delay_days=0, subject="Welcome")
    enroll_lead(LeadFactory(owner=rep, email="ada@engines.example"), sequence=sequence, by=rep)

    send_due_steps()

    message = mail.outbox[0]
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{SITE}/unsubscribe/") and link in message.body
    assert message.extra_headers["Message-ID"].endswith("@crm.test>")
