"""Marking a lead's address as bouncing: kept once, on the timeline, announced, shown on the lead page."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from activities.models import Event
from leads.models import Lead
from leads.services.bounces import mark_email_bounced
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db

AT = datetime(2026, 11, 5, 16, 33, tzinfo=UTC)


def test_the_first_report_is_kept_and_recorded_once(rep, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner=rep, email="ada@engines.example")

    with django_capture_on_commit_callbacks() as callbacks:
        assert mark_email_bounced(lead, kind=Lead.BounceKind.COMPLAINT, at=AT) is True
    assert mark_email_bounced(lead, kind=Lead.BounceKind.BOUNCE, at=datetime(2026, 12, 1, tzinfo=UTC)) is False

    lead.refresh_from_db()
    assert (lead.email_bounced_at, lead.email_bounce_kind) == (AT, "complaint")
    event = Event.objects.get(lead=lead, kind="email_bounced")
    assert event.summary == "Email marked as spam by the lead: ada@engines.example"
    assert event.data == {"kind": "complaint"}
    assert callbacks  # lead.updated reaches nurture and webhooks after commit


def test_a_converted_lead_is_marked_too(rep):
    lead = LeadFactory(owner=rep, status="converted", converted_at=AT, converted_account=AccountFactory())

    assert mark_email_bounced(lead, kind="bounce", at=AT) is True
    assert Lead.objects.get(pk=lead.pk).email_bounced_at == AT


def test_an_unknown_kind_is_refused(rep):
    lead = LeadFactory(owner=rep)

    with pytest.raises(ValueError):
        mark_email_bounced(lead, kind="soft", at=AT)
    assert Lead.objects.get(pk=lead.pk).email_bounced_at is None


def test_the_lead_page_shows_the_bounce(client, rep, other_rep):
    lead = LeadFactory(owner=rep)
    mark_email_bounced(lead, kind="bounce", at=AT)
    client.force_login(rep)

    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "Bounced Nov 5, 2026" in page
    client.force_login(other_rep)
    assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 404
