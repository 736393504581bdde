"""Honest quality of a conversion model, measured on leads it was not fitted on.

- **AUC**: the chance that a converted lead is ranked above an unqualified one (0.5 = chance, 1 = perfect).
- **Calibration**: the holdout sorted by predicted probability, cut into ten deciles; per decile the mean predicted
  probability next to the share that actually converted.
- **Lift at the top 10%**: the conversion rate of the 10% of leads ranked highest, divided by the overall rate.
- **Better than chance**: the AUC exceeds 0.5 by more than two standard errors (Hanley & McNeil, 1982) — with a
  small holdout an AUC of 0.6 can be luck, and the page must say so.

The same measures of the rule score (`Lead.score`, today's value) on the same holdout make the comparison.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

DECILES = 10


def has_both_outcomes(converted: np.ndarray) -> bool:
    return bool(converted.any() and not converted.all())


def auc(converted: np.ndarray, predicted: np.ndarray) -> float | None:
    """Area under the ROC curve, or None when the leads had a single outcome."""
    if not has_both_outcomes(converted):
        return None
    from sklearn.metrics import roc_auc_score

    return float(roc_auc_score(converted, predicted))


def auc_standard_error(value: float, positives: int, negatives: int) -> float:
    """Hanley & McNeil's standard error of an AUC measured on `positives` and `negatives` leads."""
    if positives == 0 or negatives == 0:
        return math.inf
    q1 = value / (2 - value)
    q2 = 2 * value * value / (1 + value)
    variance = (
        value * (1 - value) + (positives - 1) * (q1 - value * value) + (negatives - 1) * (q2 - value * value)
    ) / (positives * negatives)
    return math.sqrt(max(variance, 0.0))


def better_than_chance(value: float | None, converted: np.ndarray) -> bool:
    if value is None:
        return False
    positives = int(converted.sum())
    return value - 2 * auc_standard_error(value, positives, len(converted) - positives) > 0.5


def calibration(converted: np.ndarray, predicted: np.ndarray) -> list[dict[str, Any]]:
    """Predicted vs actual conversion per decile of predicted probability (decile 1 = lowest)."""
    if len(converted) == 0:
        return []
    order = np.argsort(predicted, kind="stable")
    rows = []
    for decile, part in enumerate(np.array_split(order, min(DECILES, len(order))), start=1):
        rows.append(
            {
                "decile": decile,
                "predicted": round(float(predicted[part].mean()), 4),
                "actual": round(float(converted[part].mean()), 4),
                "count": len(part),
            }
        )
    return rows


def lift_top_10(converted: np.ndarray, predicted: np.ndarray) -> float | None:
    """Conversion rate of the top-ranked 10% over the overall rate; None without a conversion."""
    if len(converted) == 0 or not converted.any():
        return None
    top = np.argsort(-predicted, kind="stable")[: max(1, math.ceil(len(converted) / DECILES))]
    return round(float(converted[top].mean() / converted.mean()), 3)


def measure(converted: np.ndarray, predicted: np.ndarray, rule_score: np.ndarray) -> dict[str, Any]:
    """Every quality figure of `predicted` (and the rule score's AUC) on one holdout."""
    model_auc = auc(converted, predicted)
    rule_auc = auc(converted, rule_score)
    return {
        "auc": None if model_auc is None else round(model_auc, 4),
        "rule_score_auc": None if rule_auc is None else round(rule_auc, 4),
        "lift_top_10": lift_top_10(converted, predicted),
        "calibration": calibration(converted, predicted),
        "is_better_than_chance": better_than_chance(model_auc, converted),
    }
