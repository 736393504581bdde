"""The kinds of event the activities app publishes (core.events)."""

from django.db import models


class ActivityEvent(models.TextChoices):
    # System events were added to leads' timelines (record_event, record_events); record_ids are the
    # leads, data: {"kind": the activity or event kind, "at": when}. Scoring counts the engagement kinds.
    RECORDED = "activity.recorded"
    # A person logged an activity on leads; record_ids are the leads, data: {"kind": its kind, "at": when}. The
    # leads' `last_activity_at` follows it in the same transaction.
    LOGGED = "activity.logged"
