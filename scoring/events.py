"""The kinds of event the scoring app publishes (core.events)."""

from django.db import models


class ScoringEvent(models.TextChoices):
    # One lead's score changed (single-lead scoring; the bulk rescore publishes nothing per lead).
    SCORE_CHANGED = "scoring.score_changed"
    # Leads first reached the MQL threshold; data: {"owner": owner id or None} when it is one lead.
    REACHED_MQL = "scoring.reached_mql"
    # The fit rules or engagement weights changed: every lead is rescored.
    RULES_CHANGED = "scoring.rules_changed"
