"""Write every open lead's conversion probability and its top reasons, set-based, chunk by chunk.

Open leads are read in chunks (`scoring.predictive.features`), predicted with numpy in one pass per chunk, and
written back with one `UPDATE … FROM jsonb_to_recordset(…)` per few thousand leads on PostgreSQL (`bulk_update` on SQLite).
Closed leads (converted, unqualified) lose their prediction: it no longer means anything. Without an active
model nothing is written.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from leads.models import Lead
from scoring.models import ConversionModel
from scoring.predictive import model as lr
from scoring.predictive.explain import reasons
from scoring.predictive.features import FeatureChunk, stream_features
from scoring.selectors import TERMINAL, get_active_conversion_model

logger = logging.getLogger(__name__)

# Leads per UPDATE statement.
ROWS_PER_STATEMENT = 5_000
PROBABILITY_DECIMALS = 4


def predict_chunk(chunk: FeatureChunk, parameters: dict[str, Any]) -> tuple[list[float], list[list[dict[str, Any]]]]:
    """Probabilities (rounded) and top reasons of one chunk of leads."""
    probability, logit, contributions = lr.predict(lr.encode(chunk, parameters), parameters)
    return [round(float(p), PROBABILITY_DECIMALS) for p in probability], reasons(chunk, lr.points(logit, contributions))


def predict_leads(
    lead_ids: Iterable[int] | None = None, *, model: ConversionModel | None = None, now: datetime | None = None
) -> int:
    """Predict the open leads among `lead_ids` (all open leads when None) with `model` (the active one when None).

    Clears the prediction of the closed leads among them. Returns how many open leads were written.
    """
    model = model or get_active_conversion_model()
    if model is None:
        return 0
    ids = None if lead_ids is None else sorted(set(lead_ids))
    if ids == []:
        return 0
    began = time.monotonic()
    written = 0
    for chunk in stream_features(closed=False, now=now or timezone.now(), lead_ids=ids):
        probabilities, lead_reasons = predict_chunk(chunk, model.parameters)
        rows = list(zip(chunk.ids.tolist(), probabilities, lead_reasons, strict=True))
        for start in range(0, len(rows), ROWS_PER_STATEMENT):
            with transaction.atomic():
                _write(rows[start : start + ROWS_PER_STATEMENT])
        written += len(rows)
    cleared = _clear_closed(ids)
    logger.info(
        "conversion model v%s: %d open leads predicted, %d closed cleared in %.1fs",
        model.version,
        written,
        cleared,
        time.monotonic() - began,
    )
    return written


def _write(rows: list[tuple[int, float, list[dict[str, Any]]]]) -> None:
    if connection.vendor != "postgresql":
        Lead.objects.bulk_update(
            [Lead(id=lead_id, conversion_probability=p, conversion_reasons=r) for lead_id, p, r in rows],
            ["conversion_probability", "conversion_reasons"],
            batch_size=500,
        )
        return
    table = connection.ops.quote_name(Lead._meta.db_table)
    # The whole batch travels as ONE JSON parameter, unpacked by jsonb_to_recordset; leads whose prediction did not
    # change are not rewritten (a lead row update touches every index of the table).
    batch = json.dumps([{"id": lead_id, "p": p, "r": r} for lead_id, p, r in rows], ensure_ascii=False)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS l SET conversion_probability = v.p, conversion_reasons = v.r "  # noqa: S608  # nosec B608 - table name from model metadata, the values are one parameter
            "FROM jsonb_to_recordset(%s::jsonb) AS v (id bigint, p double precision, r jsonb) "
            "WHERE l.id = v.id AND (l.conversion_probability IS DISTINCT FROM v.p "
            "OR l.conversion_reasons IS DISTINCT FROM v.r)",
            [batch],
        )


def _clear_closed(ids: list[int] | None) -> int:
    stale = Lead.objects.filter(status__in=TERMINAL).filter(
        Q(conversion_probability__isnull=False) | Q(conversion_reasons__isnull=False)
    )
    if ids is None:
        return stale.update(conversion_probability=None, conversion_reasons=None)
    cleared = 0
    for start in range(0, len(ids), 1_000):
        cleared += stale.filter(id__in=ids[start : start + 1_000]).update(
            conversion_probability=None, conversion_reasons=None
        )
    return cleared


def explain_prediction(lead: Lead, *, model: ConversionModel | None = None) -> dict[str, Any]:
    """`lead`'s conversion probability now and its top reasons, computed for it alone.

    {"probability": 0-1 or None, "reasons": [{feature, impact, text}], "model_version": n or None}; None and no
    reasons for a closed lead or when no model is trained. The bulk write stores the same values (tests hold it).
    """
    model = model or get_active_conversion_model()
    if model is None or lead.status in TERMINAL:
        return {"probability": None, "reasons": [], "model_version": model.version if model else None}
    for chunk in stream_features(closed=False, lead_ids=[lead.pk]):
        probabilities, lead_reasons = predict_chunk(chunk, model.parameters)
        return {"probability": probabilities[0], "reasons": lead_reasons[0], "model_version": model.version}
    return {"probability": None, "reasons": [], "model_version": model.version}
