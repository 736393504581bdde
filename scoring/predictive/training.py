"""Train the predictive conversion model on the team's closed leads and store it as a new active version.

1. Read the closed leads of the training window (`FUNNEL_PREDICTIVE_TRAINING_DAYS`, by when they closed), their
   features as of the moment they closed, chunk by chunk (`scoring.predictive.features`).
2. **Time-based holdout**: order them by when they closed; fit on the oldest 80%, measure on the newest 20%
   (AUC, calibration, lift, and the rule score's AUC on the same leads — `scoring.predictive.quality`). That is
   how the model will be used: trained on the past, judged on what came after.
3. **Refit on all of them** for the stored model: the newest leads are the most like the open ones, and leaving
   them out would make the model that is used older than the one that was measured. The stored quality is the
   holdout model's, a slightly pessimistic estimate of the refitted one.

Fewer closed leads than `FUNNEL_PREDICTIVE_MIN_CLOSED` (or a single outcome among them) raise NotEnoughHistory.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from core.exceptions import PermissionDenied
from scoring.exceptions import NotEnoughHistory
from scoring.models import ConversionModel
from scoring.predictive import model as lr
from scoring.predictive.features import FEATURES, stream_features
from scoring.predictive.quality import has_both_outcomes, measure
from scoring.selectors import closed_leads
from users.models import User

logger = logging.getLogger(__name__)

HOLDOUT_SHARE = 0.2


def _read_history(now: datetime) -> tuple[lr.Codebook, lr.Encoded, np.ndarray, np.ndarray, np.ndarray]:
    """Every closed lead of the window, encoded: (codebook, features, converted, closed_at, rule score)."""
    codebook = lr.Codebook()
    parts, converted, closed_at, score = [], [], [], []
    for chunk in stream_features(closed=True, now=now):
        parts.append(codebook.encode(chunk))
        converted.append(chunk.converted)
        closed_at.append(chunk.closed_at)
        score.append(chunk.score)
    if not parts:
        empty = lr.Encoded(np.empty((0, len(lr.CATEGORICAL)), np.int32), np.empty((0, len(lr.NUMERIC)), np.float32))
        return codebook, empty, np.zeros(0, bool), np.zeros(0), np.zeros(0, np.float32)
    encoded = lr.Encoded(np.concatenate([p.cat for p in parts]), np.concatenate([p.num for p in parts]))
    return codebook, encoded, np.concatenate(converted), np.concatenate(closed_at), np.concatenate(score)


def _check_enough(have: int, converted: np.ndarray | None = None) -> None:
    needed = max(2, settings.FUNNEL_PREDICTIVE_MIN_CLOSED)
    if have < needed:
        raise NotEnoughHistory(needed=needed, have=have)
    if converted is not None and not has_both_outcomes(converted):
        raise NotEnoughHistory(
            f"All {have} closed leads had the same outcome; the model needs both converted and unqualified leads.",
            needed=needed,
            have=have,
        )


def train_conversion_model(*, by: User | None = None, now: datetime | None = None) -> ConversionModel:
    """Fit, measure and store a new version of the conversion model; it becomes the active one.

    Raises:
        PermissionDenied: `by` is a rep.
        NotEnoughHistory: fewer closed leads than FUNNEL_PREDICTIVE_MIN_CLOSED, or a single outcome among them.
    """
    if by is not None and not by.can_manage:
        raise PermissionDenied("Only managers and admins may train the predictive model.")
    now = now or timezone.now()
    began = time.monotonic()
    _check_enough(closed_leads(now=now).count())
    codebook, raw, converted, closed_at, rule_score = _read_history(now)
    _check_enough(len(raw), converted)
    vocabulary, encoded = codebook.vocabulary(raw)
    read_seconds = time.monotonic() - began

    order = np.argsort(closed_at, kind="stable")
    cut = round(len(order) * (1 - HOLDOUT_SHARE))
    older, newer = order[:cut], order[cut:]
    quality = {
        "auc": None,
        "rule_score_auc": None,
        "lift_top_10": None,
        "calibration": [],
        "is_better_than_chance": False,
    }
    if has_both_outcomes(converted[older]) and len(newer):
        holdout_model = lr.fit(encoded.take(older), converted[older], vocabulary)
        predicted, _logit, _contributions = lr.predict(encoded.take(newer), holdout_model)
        quality = measure(converted[newer], predicted, rule_score[newer])
    parameters = lr.fit(encoded, converted, vocabulary)
    parameters["positives"] = int(converted.sum())
    parameters["holdout_positives"] = int(converted[newer].sum())
    stored = _store(
        by=by,
        now=now,
        fields={
            "training_size": len(older),
            "holdout_size": len(newer),
            "closed_leads": len(encoded),
            "features": list(FEATURES),
            "parameters": parameters,
            **quality,
        },
    )
    logger.info(
        "conversion model v%s trained on %d closed leads (read %.1fs, total %.1fs): AUC %s vs rule score %s",
        stored.version,
        len(encoded),
        read_seconds,
        time.monotonic() - began,
        stored.auc,
        stored.rule_score_auc,
    )
    return stored


def _store(*, by: User | None, now: datetime, fields: dict) -> ConversionModel:
    """Save the next version as the only active one (a concurrent training takes the version after)."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                list(ConversionModel.objects.select_for_update().filter(is_active=True))
                version = (ConversionModel.objects.aggregate(top=Max("version"))["top"] or 0) + 1
                ConversionModel.objects.filter(is_active=True).update(is_active=False)
                return ConversionModel.objects.create(
                    version=version, trained_at=now, trained_by=by, is_active=True, **fields
                )
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
