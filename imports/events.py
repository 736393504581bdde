"""The kinds of event the imports app publishes (core.events)."""

from django.db import models


class ImportEvent(models.TextChoices):
    # An import job is ready to run (uploaded and mapped).
    QUEUED = "imports.queued"
    # An import job ended; data: {"status": "done" or "failed"}.
    FINISHED = "import.finished"
