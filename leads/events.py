"""The kinds of event the leads app publishes (core.events), for the apps above it to react to."""

from django.db import models


class LeadEvent(models.TextChoices):
    # A lead was created (capture, API, web form, admin); data: {"owner": owner id or None}.
    CREATED = "lead.created"
    # A lead's details changed; data: {"fields": [the fields that changed]}.
    UPDATED = "lead.updated"
    # A lead's status changed; data: {"from": old status, "to": new status}.
    STATUS_CHANGED = "lead.status_changed"
    # A lead was converted (it is read-only from now on).
    CONVERTED = "lead.converted"
