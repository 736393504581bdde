"""Reads behind the predictive score's pages: is a model active, and how much more history training needs."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Exists, F, Func, Subquery

from leads.models import Lead
from scoring.models import ConversionModel
from scoring.predictive.features import closed_leads

# The outcomes a model learns from; an open lead is one that has neither.
CLOSED_STATUSES = (Lead.Status.CONVERTED, Lead.Status.UNQUALIFIED)


def minimum_closed_leads() -> int:
    """The closed leads training needs before it fits a model (FUNNEL_PREDICTIVE_MIN_CLOSED)."""
    return settings.FUNNEL_PREDICTIVE_MIN_CLOSED


def history_state(closed: int) -> dict:
    """What the pages say about `closed` leads of history: how many, the minimum and how many more are needed."""
    needed = minimum_closed_leads()
    return {"closed_leads": closed, "needed": needed, "missing": max(0, needed - closed)}


def get_prediction_state(lead_id: int) -> dict:
    """Whether a conversion model is active and how much history there is, read in one query beside `lead_id`."""
    # COUNT without GROUP BY: the subquery yields one row whatever the table holds.
    closed = closed_leads().order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    row = (
        Lead.objects.filter(pk=lead_id)
        .values(has_model=Exists(ConversionModel.objects.active()), closed=Subquery(closed))
        .first()
    )
    if row is None:
        return {"has_model": False, **history_state(0)}
    return {"has_model": bool(row["has_model"]), **history_state(row["closed"] or 0)}
