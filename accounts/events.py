"""The kinds of event the accounts app publishes (core.events), for the apps above it to react to."""

from django.db import models


class AccountEvent(models.TextChoices):
    # An account was created (by hand, API, or a lead conversion).
    CREATED = "account.created"
