"""Scoring on the lead page: `{% load scoring_tags %}{% score_breakdown lead %}`.

The tag lives in scoring because leads must not import scoring; the lead page depends on it only in its template.
"""

from __future__ import annotations

from django import template

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
