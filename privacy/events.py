"""The event kinds the privacy app publishes."""

from django.db import models


class PrivacyEvent(models.TextChoices):
    # A person was erased; `data` names their `lead_ids` and `contact_ids` (the address is never in an event).
    PERSON_ERASED = "privacy.person_erased"
