"""The reasons of a prediction in plain words: "Source: Webinar +12 pts", "No activity in 21 days -8 pts".

A reason is `{"feature", "impact", "text"}`: `impact` is in percentage points of conversion probability (see
`scoring.predictive.model` for what a point means), `text` says the lead's value and the signed points.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import numpy as np

from leads.models import LeadSource
from scoring.predictive.features import CATEGORICAL, FEATURES, UNKNOWN, FeatureChunk

TOP_REASONS = 3
MINUS = "\u2212"

_SENIORITY = {
    "senior": "Title: senior (VP/Director/C-level)",
    "manager": "Title: manager",
    "staff": "Title: individual contributor",
    UNKNOWN: "No title",
}
_SOURCE_LABELS = dict(LeadSource.choices)
_EMAIL = {"free": "Free email domain", "corporate": "Corporate email domain", "none": "No email address"}
_TOUCH = {
    "1_hour": "Touched within 1 hour",
    "1_day": "Touched within a day",
    "1_week": "Touched within a week",
    "later": "First touched after a week",
    "never": "Never touched",
}
_COUNT_WORDS = {
    "opens": ("email open", "email opens"),
    "clicks": ("email click", "email clicks"),
    "form_visits": ("web form visit", "web form visits"),
    "replies": ("reply", "replies"),
    "calls": ("call", "calls"),
    "meetings": ("meeting", "meetings"),
}


def describe(feature: str, value: Any) -> str:
    """The plain words for one feature's value of a lead (a categorical key, or a count or number of days)."""
    if feature == "source":
        return f"Source: {_SOURCE_LABELS.get(value, value)}"
    if feature == "industry":
        return "No industry" if value == UNKNOWN else f"Industry: {value.capitalize()}"
    if feature == "country":
        return "No country" if value == UNKNOWN else f"Country: {value}"
    if feature == "employees_band":
        return "Company size unknown" if value == UNKNOWN else f"Company size: {value} employees"
    if feature == "seniority":
        return _SENIORITY[value]
    if feature == "email_domain":
        return _EMAIL[value]
    if feature == "first_touch":
        return _TOUCH[value]
    if feature == "days_since_activity":
        days = int(value)
        if days < 1:
            return "Activity today"
        if days < 7:
            return f"Last activity {days} day{'s' if days != 1 else ''} ago"
        return f"No activity in {days} days"
    count = int(value)
    singular, plural = _COUNT_WORDS[feature]
    return f"No {plural}" if count == 0 else f"{count} {singular if count == 1 else plural}"


def signed_points(impact: float) -> str:
    whole = round(impact)
    if whole == 0:
        return "0 pts"
    return f"{'+' if whole > 0 else MINUS}{abs(whole)} pt{'s' if abs(whole) != 1 else ''}"


def reasons(chunk: FeatureChunk, impacts: np.ndarray, *, top: int = TOP_REASONS) -> list[list[dict[str, Any]]]:
    """Each lead's `top` reasons by absolute impact (ties: in FEATURES order), signed, in plain words."""
    order = np.argsort(-np.abs(impacts), axis=1, kind="stable")[:, :top]
    rounded = np.round(np.take_along_axis(impacts, order, axis=1), 1).tolist()
    values = [
        chunk.categorical[name] if j < len(CATEGORICAL) else chunk.numeric[name].astype(np.int64).tolist()
        for j, name in enumerate(FEATURES)
    ]
    out = []
    for i, (columns, lead_impacts) in enumerate(zip(order.tolist(), rounded, strict=True)):
        out.append(
            [
                {"feature": FEATURES[j], "impact": impact, "text": _text(FEATURES[j], values[j][i], round(impact))}
                for j, impact in zip(columns, lead_impacts, strict=True)
            ]
        )
    return out


@lru_cache(maxsize=4_096)
def _text(feature: str, value: Any, whole_points: int) -> str:
    return f"{describe(feature, value)} {signed_points(whole_points)}"
