"""The kinds of event the opportunities app publishes (core.events), for the apps above it to react to."""

from django.db import models


class OpportunityEvent(models.TextChoices):
    # An opportunity was created (by hand, API, or a lead conversion).
    CREATED = "opportunity.created"
    # A deal moved stage; data: {"from": old stage id, "to": new stage id}.
    STAGE_CHANGED = "opportunity.stage_changed"
    # A deal moved into a closed stage; data: {"stage": stage id, "won": bool}.
    CLOSED = "opportunity.closed"
