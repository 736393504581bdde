"""The kinds of event the assignment app publishes (core.events)."""

from django.db import models


class AssignmentEvent(models.TextChoices):
    # Leads got a new owner; data: {"owner": the owner's id, "digest": true when one email should list them all}.
    ASSIGNED = "assignment.assigned"
    # Nobody could take these leads; their managers are told.
    FAILED = "assignment.failed"
