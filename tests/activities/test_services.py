"""Writes on the timeline: calls with outcomes, and notifications."""

import pytest
from django.core.exceptions import ValidationError

from activities.events import ActivityEvent
from activities.models import Activity, Notification
from activities.services import log_activity, mark_all_notifications_read, mark_notification_read, notify
from core.events import subscribe
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_a_call_on_a_lead_announces_its_outcome_and_caller(rep):
    seen = []
    subscriber = subscribe(ActivityEvent.LOGGED, inline=True)(seen.append)
    try:
        lead = LeadFactory(owner=rep)
        log_activity(by=rep, kind="call", subject="Call", call_outcome="connected", duration_seconds=95, lead=lead)
    finally:
        from core.events import _inline

        _inline[ActivityEvent.LOGGED].remove(subscriber)
    assert seen[-1].data["call_outcome"] == "connected" and seen[-1].by_id == rep.pk
    assert seen[-1].record_ids == (lead.pk,)


def test_a_call_keeps_its_outcome_and_duration(rep):
    call = log_activity(
        by=rep, kind="call", subject="Call", call_outcome="no_answer", duration_seconds=75, account=AccountFactory()
    )
    call.refresh_from_db()
    assert (call.get_call_outcome_display(), call.duration_display) == ("No answer", "1:15")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "note", "call_outcome": "connected"}, "call_outcome"),
        ({"kind": "meeting", "duration_seconds": 60}, "duration_seconds"),
        ({"kind": "call", "call_outcome": "busy"}, "call_outcome"),
        ({"kind": "call", "duration_seconds": 90_000}, "duration_seconds"),
    ],
)
def test_an_impossible_call_detail_is_refused_naming_the_field(rep, fields, field):
    with pytest.raises(ValidationError) as exc:
        log_activity(by=rep, subject="X", lead=LeadFactory(owner=rep), **fields)
    assert field in exc.value.error_dict
    assert not Activity.objects.exists()


def test_notifications_are_marked_read_one_or_all_and_only_the_recipients(rep, other_rep):
    first = notify(rep, kind="reminder", text="One")
    notify(rep, kind="reminder", text="Two")
    theirs = notify(other_rep, kind="reminder", text="Theirs")
    mark_notification_read(theirs, by=rep)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    read = mark_notification_read(first, by=rep)
    assert read.read_at is not None
    again = mark_notification_read(first, by=rep).read_at
    assert again == read.read_at
    assert mark_all_notifications_read(by=rep) == 1
    assert Notification.objects.visible_to(rep).unread().count() == 0
    assert Notification.objects.visible_to(other_rep).unread().count() == 1
