"""An active conversion model row for the page and API tests (training itself is tested with the engine)."""

from __future__ import annotations

from django.utils import timezone

from scoring.models import ConversionModel

CALIBRATION = [
    {"decile": decile, "predicted": round(decile / 11, 4), "actual": round(decile / 12, 4), "count": 10}
    for decile in range(1, 11)
]


def active_model(*, by=None, auc: float = 0.81, better: bool = True, **fields) -> ConversionModel:
    """Store version 1 of the model as the active one, with a plausible holdout quality."""
    values = {
        "version": 1,
        "trained_at": timezone.now(),
        "trained_by": by,
        "training_size": 400,
        "holdout_size": 100,
        "closed_leads": 500,
        "features": ["source", "seniority"],
        "parameters": {},
        "auc": auc,
        "rule_score_auc": 0.66,
        "lift_top_10": 2.4,
        "calibration": CALIBRATION,
        "is_better_than_chance": better,
        "is_active": True,
        **fields,
    }
    return ConversionModel.objects.create(**values)
