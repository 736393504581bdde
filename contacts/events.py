"""The kinds of event the contacts app publishes (core.events), for the apps above it to react to."""

from django.db import models


class ContactEvent(models.TextChoices):
    # A contact was created (by hand, API, or a lead conversion).
    CREATED = "contact.created"
