"""The kinds of event the nurture app publishes (core.events)."""

from django.db import models


class NurtureEvent(models.TextChoices):
    # A person queued an email from a lead's or contact's page; record_ids: the RecordEmail row. Nurture's own
    # subscriber kicks the send after commit (services don't import tasks); the sweeper repairs a lost kick.
    RECORD_EMAIL_QUEUED = "nurture.record_email_queued"
