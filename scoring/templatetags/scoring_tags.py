"""Scoring on the lead page: `{% load scoring_tags %}{% score_breakdown lead %}`, `{% conversion_prediction lead %}`.

The tag lives in scoring because leads must not import scoring; the lead page depends on it only in its template.
"""

from __future__ import annotations

from django import template

from scoring.prediction_state import CLOSED_STATUSES, get_prediction_state
from scoring.rules import CLAMP_LINE, ENGAGEMENT_LINE
from scoring.services import explain_score

register = template.Library()

LINE_KINDS = {ENGAGEMENT_LINE: "engagement", CLAMP_LINE: "clamp"}


@register.inclusion_tag("scoring/_score_breakdown.html")
def score_breakdown(lead) -> dict:
    """Render how `lead`'s score is made with today's rules, and whether its stored score is behind them."""
    explained = explain_score(lead)
    breakdown = [{**row, "kind": LINE_KINDS.get(row["rule"], "rule")} for row in explained["breakdown"]]
    return {"lead": lead, "explained": explained, "breakdown": breakdown}


@register.inclusion_tag("scoring/_conversion_prediction.html", takes_context=True)
def conversion_prediction(context, lead) -> dict:
    """Render the lead's predicted chance to convert with its reasons, or why there is no prediction yet.

    A predicted or closed lead costs no query; an open lead without a prediction costs one (is a model active, and
    how much history is there to train one).
    """
    user = context.get("user")
    shown = {"lead": lead, "closed": lead.status in CLOSED_STATUSES, "can_manage": getattr(user, "can_manage", False)}
    if lead.conversion_probability is not None or shown["closed"]:
        return shown
    return {**shown, **get_prediction_state(lead.pk)}


@register.filter
def chance(probability: float | None) -> str:
    """A predicted probability as a whole percentage; never a flat 0% or 100%, which no prediction is."""
    if probability is None:
        return ""
    if probability < 0.005:
        return "<1%"
    if probability > 0.995:
        return ">99%"
    return f"{round(probability * 100)}%"
