"""Retention: the nightly task deletes only what is older than each setting; unset keeps everything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, Event
from activities.services import log_activity, record_event
from nurture.services.record_email import queue_record_email
from nurture.tracking_models import TrackingHit
from privacy.tasks import apply_retention_task
from tests.factories import LeadFactory
from users.models import SecurityEvent


@pytest.fixture
def aged(rep):
    """Of each kind of data, one row 40 days old and one 10 days old."""
    lead = LeadFactory(owner=rep)
    now = timezone.now()
    for days in (40, 10):
        at = now - timedelta(days=days)
        event = record_event("status_changed", f"{days} days ago", lead=lead)
        Event.objects.filter(pk=event.pk).update(created_at=at)
        activity = log_activity(by=rep, kind="note", subject=f"{days} days ago", lead=lead)
        Activity.objects.filter(pk=activity.pk).update(created_at=at)
        sent = queue_record_email(lead, by=rep, subject=f"{days} days ago", body="Hello")
        TrackingHit.objects.create(record_email=sent, kind="open", first_at=at, last_at=at)
        security = SecurityEvent.objects.create(kind=SecurityEvent.Kind.LOGIN_FAILED, username=f"{days} days ago")
        SecurityEvent.objects.filter(pk=security.pk).update(created_at=at)
    return lead


def _left(aged):
    return {
        "events": sorted(Event.objects.filter(kind="status_changed").values_list("summary", flat=True)),
        "activities": Activity.objects.filter(lead=aged).count(),
        "tracking_hits": sorted(TrackingHit.objects.values_list("record_email__subject", flat=True)),
        "security_events": sorted(SecurityEvent.objects.values_list("username", flat=True)),
    }


def test_unset_retention_keeps_everything(aged, settings):
    settings.FUNNEL_RETENTION_ACTIVITY_DAYS = 0
    settings.FUNNEL_RETENTION_TRACKING_DAYS = 0
    settings.FUNNEL_RETENTION_AUDIT_DAYS = 0

    assert apply_retention_task() == {}

    left = _left(aged)
    assert left["events"] == ["10 days ago", "40 days ago"] and left["tracking_hits"] == ["10 days ago", "40 days ago"]
    assert left["security_events"] == ["10 days ago", "40 days ago"]


def test_each_setting_deletes_only_what_is_older_than_it(aged, settings):
    settings.FUNNEL_RETENTION_ACTIVITY_DAYS = 30
    settings.FUNNEL_RETENTION_TRACKING_DAYS = 30
    settings.FUNNEL_RETENTION_AUDIT_DAYS = 30

    deleted = apply_retention_task()

    assert deleted["tracking_hits"] == 1 and deleted["security_events"] == 1 and deleted["events"] >= 1
    left = _left(aged)
    assert left["events"] == ["10 days ago"]
    assert left["tracking_hits"] == ["10 days ago"]
    assert left["security_events"] == ["10 days ago"]
    assert left["activities"] == 2  # what people logged is a record, not system data: never purged


def test_the_settings_are_independent(aged, settings):
    settings.FUNNEL_RETENTION_ACTIVITY_DAYS = 0
    settings.FUNNEL_RETENTION_TRACKING_DAYS = 5
    settings.FUNNEL_RETENTION_AUDIT_DAYS = 0

    assert apply_retention_task() == {"tracking_hits": 2}

    assert _left(aged)["events"] == ["10 days ago", "40 days ago"]


def test_a_second_run_finds_nothing(aged, settings):
    settings.FUNNEL_RETENTION_AUDIT_DAYS = 30
    apply_retention_task()

    assert apply_retention_task() == {"security_events": 0}
