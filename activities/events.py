"""The kinds of event the activities app publishes (core.events)."""

from django.db import models


class ActivityEvent(models.TextChoices):
    # Something was added to leads' timelines: an activity logged or a system event recorded; record_ids are the
    # leads, data: {"kind": the activity or event kind}. Scoring counts the engagement kinds.
    RECORDED = "activity.recorded"
    # A person logged an activity on leads; record_ids are the leads, data: {"kind": its kind, "at": when}. The
    # leads' `last_activity_at` follows it in the same transaction.
    LOGGED = "activity.logged"
