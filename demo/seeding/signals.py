"""What makes a demo lead convert: outcome-dependent draws, so the history has features that really matter.

Real funnels convert webinar and referral leads, senior buyers, corporate addresses and leads that were called
quickly and often far more than cold calls, junior titles and free-mail addresses. The demo draws each lead's
status first (STATUS_WEIGHTS), then these features from tables skewed by that status: the predictive conversion
model has something honest to learn, and its quality page something to show.
"""

from __future__ import annotations

from demo.seeding.pools import SOURCE_WEIGHTS, TITLES, weighted
from demo.seeding.writer import DAY

# How much more often a converted lead came from a source than the base mix says (an unqualified one: the inverse).
SOURCE_LIFT = {
    "webinar": 3.0, "referral": 3.5, "partner": 2.0, "trade_show": 1.5, "web_form": 1.2,
    "cold_call": 0.3, "advertising": 0.5, "social": 0.5, "import": 0.6, "other": 0.7,
}  # fmt: skip
# The same for senior titles (VP, director, head, C-level, founder) against the others.
SENIOR_LIFT = 2.5
SENIOR_WORDS = ("VP", "Vice President", "Director", "Head", "Chief", "CEO", "CTO", "CFO", "COO", "Founder")
# Where each status sits between converted (+1) and unqualified (-1): the skew of its tables.
LEANING = {"converted": 1.0, "qualified": 0.6, "working": 0.2, "new": 0.0, "nurturing": -0.2, "unqualified": -1.0}
# Share of leads with a free-mail address (a converted lead uses its contact's corporate one).
FREE_MAIL_SHARE = {"new": 0.12, "working": 0.1, "nurturing": 0.15, "qualified": 0.05, "unqualified": 0.3}
FREE_MAIL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com", "gmx.com")
# Share of leads with logged activities (calls, emails, meetings …), and how quickly and often reps worked them.
ACTIVITY_SHARE = {
    "new": 0.15, "working": 0.4, "nurturing": 0.25, "qualified": 0.5, "unqualified": 0.2, "converted": 0.55,
}  # fmt: skip
ENGAGED = ("qualified", "converted")


def is_senior(title: str) -> bool:
    return any(word in title for word in SENIOR_WORDS)


def _skewed(weight: int, factor: float, leaning: float) -> int:
    """`weight` times `factor` to the power of the status's leaning, in tenths (weighted() needs integers)."""
    return max(1, round(10 * weight * factor**leaning))


def source_tables() -> dict[str, list[str]]:
    """Per status, the source lookup list: the base mix skewed towards (or away from) the sources that convert."""
    tables = {}
    for status, leaning in LEANING.items():
        pairs = [
            (source, _skewed(weight, SOURCE_LIFT.get(source, 1.0), leaning))
            for source, weight in SOURCE_WEIGHTS.items()
        ]
        tables[status] = weighted(pairs)
    return tables


def title_tables() -> dict[str, list[tuple[str, str]]]:
    """Per status, the (title, department) lookup list: senior buyers more often among the leads that convert."""
    tables = {}
    for status, leaning in LEANING.items():
        pairs = [
            ((title, department), _skewed(weight, SENIOR_LIFT if is_senior(title) else 1.0, leaning))
            for title, weight, department in TITLES
        ]
        tables[status] = weighted(pairs)
    return tables


def activity_plan(status: str, r) -> tuple[int | None, int | None]:
    """How many activities an engaged lead got and how soon the first came; (None, None) keeps the usual draw."""
    if status not in ENGAGED:
        return None, None
    count = 1 + int(r() * 4)
    first_within = 3600 if r() < 0.4 else DAY
    return count, first_within
