"""How leads react to activity: a connected call starts work on a new lead."""

import pytest
from django.urls import reverse

from activities.services import log_activity
from leads.models import Lead, LeadStatusChange
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def _call(lead, by, outcome: str):
    return log_activity(by=by, kind="call", subject="Call", call_outcome=outcome, completed_at=None, lead=lead)


def test_a_connected_call_moves_a_new_lead_to_working_on_its_timeline(rep, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner=rep)
    with django_capture_on_commit_callbacks(execute=True):
        _call(lead, rep, "connected")
    lead.refresh_from_db()
    assert lead.status == Lead.Status.WORKING
    change = LeadStatusChange.objects.filter(lead=lead).latest("changed_at")
    assert (change.from_status, change.to_status, change.changed_by) == ("new", "working", rep)


@pytest.mark.parametrize("outcome", ["voicemail", "no_answer", "wrong_number", ""])
def test_a_call_that_did_not_connect_leaves_a_new_lead_new(rep, outcome, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner=rep)
    with django_capture_on_commit_callbacks(execute=True):
        _call(lead, rep, outcome)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.NEW


@pytest.mark.parametrize("status", ["nurturing", "qualified", "unqualified"])
def test_a_connected_call_leaves_a_lead_past_new_where_it_is(rep, status, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner=rep)
    Lead.objects.filter(pk=lead.pk).update(status=status)
    with django_capture_on_commit_callbacks(execute=True):
        _call(lead, rep, "connected")
    lead.refresh_from_db()
    assert lead.status == status


def test_logging_a_connected_call_on_the_lead_page_shows_working_on_its_timeline(
    client, rep, django_capture_on_commit_callbacks
):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)
    fields = {"kind": "call", "subject": "First call", "call_outcome": "connected", "duration": "12"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("leads:log_activity", args=[lead.pk]), fields)
    lead.refresh_from_db()
    assert lead.status == Lead.Status.WORKING
    content = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Status changed from New to Working" in content and "12:00" in content
