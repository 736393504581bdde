"""Lead grades: how well a lead fits the ideal customer profile, beside the score (how interested it is).

    profile points = the sum of the points of every active `GradeRule` a lead matches
    grade = A if points ≥ FUNNEL_GRADE_A, B if ≥ FUNNEL_GRADE_B, C if ≥ FUNNEL_GRADE_C, else D

- Grade rules have the shape of scoring rules (field, operator, value, points) and the same operators and
  fields (`scoring.rules.OPERATORS_BY_FIELD`): company size (`employees`), `industry`, `country`, title seniority
  (`title` contains "VP, Head, Chief, Director"), budget (`budget_amount`, `budget_confirmed`) and the rest.
- The thresholds are settings (`FUNNEL_GRADE_A` / `_B` / `_C`, default 75 / 50 / 25, env-configurable), as the
  score's rating and MQL thresholds are: one place for every funnel threshold, read once per scoring pass.
- Without any active grade rule grading is off: every lead's grade is blank (not D).
- Set-based grading is part of scoring: the SQL of `scoring.sql` writes `grade` in the same statement as `score`,
  so a rule change, a lead's field change and the rescoring sweep regrade exactly as they rescore.
- `FUNNEL_MQL_MIN_GRADE` (A to D, default empty: score only) makes the MQL milestone need that grade or better as
  well as the score threshold.

`rule_matches` evaluates one rule on one lead in Python, the way the compiled SQL does; `explain_grade`
(`scoring.services`) uses it to show why a lead has its grade, and the tests hold it equal to the SQL.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings

from scoring.rules import TEXT_FIELDS, Rule, parse_value

GRADES = ("A", "B", "C", "D")
INTEGER_FIELDS = frozenset({"employees"})


def grade_thresholds() -> tuple[int, int, int]:
    """The profile points a lead needs for A, B and C (settings `FUNNEL_GRADE_A`, `_B`, `_C`)."""
    return settings.FUNNEL_GRADE_A, settings.FUNNEL_GRADE_B, settings.FUNNEL_GRADE_C


def grade_for(points: int, thresholds: tuple[int, int, int] | None = None) -> str:
    """The grade of `points` profile points."""
    a, b, c = thresholds or grade_thresholds()
    if points >= a:
        return "A"
    if points >= b:
        return "B"
    if points >= c:
        return "C"
    return "D"


def grades_at_or_above(minimum: str) -> list[str]:
    """The grades that satisfy `minimum` ("B" → ["A", "B"]); every grade when `minimum` is empty."""
    if not minimum:
        return list(GRADES)
    return list(GRADES[: GRADES.index(minimum) + 1])


def mql_min_grade() -> str:
    """`FUNNEL_MQL_MIN_GRADE`, upper-cased; empty when the MQL milestone depends on the score only."""
    value = (getattr(settings, "FUNNEL_MQL_MIN_GRADE", "") or "").strip().upper()
    return value if value in GRADES else ""


def _text(value: Any) -> str:
    return (value or "").lower()


def rule_matches(rule: Rule, lead: Any) -> bool:
    """Whether `rule` matches `lead` (a Lead or any object with its fields), as `rule_condition`'s SQL decides."""
    field, operator = rule.field, rule.operator
    parsed = parse_value(field, operator, rule.value)
    actual = getattr(lead, field)
    is_text = field in TEXT_FIELDS
    if field in INTEGER_FIELDS and operator in ("equals", "not_equals", "in", "gte", "lte"):
        # The database is sent an integer column's comparison value as an integer (Django truncates it).
        parsed = [int(item) for item in parsed] if isinstance(parsed, list) else int(parsed)

    def equals(item: Any) -> bool:
        if is_text:
            return _text(actual) == _text(item)
        if actual is None:
            return False
        if isinstance(item, Decimal | int) and not isinstance(item, bool):
            return Decimal(actual) == item
        return actual == item

    if operator == "equals":
        return equals(parsed)
    if operator == "not_equals":
        return not equals(parsed)
    if operator == "in":
        return any(equals(item) for item in parsed)
    if operator == "contains":
        return any(_text(item) in _text(actual) for item in parsed)
    if operator == "starts_with":
        return any(_text(actual).startswith(_text(item)) for item in parsed)
    if operator in ("gte", "lte"):
        if actual is None:
            return False
        return Decimal(actual) >= parsed if operator == "gte" else Decimal(actual) <= parsed
    if operator in ("is_set", "is_blank"):
        blank = actual == "" if is_text else actual is None
        return blank if operator == "is_blank" else not blank
    if operator == "free_mail":
        return any((actual or "").endswith(f"@{domain}") for domain in settings.FUNNEL_FREE_MAIL_DOMAINS)
    return False


def profile_points(rules: list[Rule], lead: Any) -> list[tuple[Rule, int]]:
    """The rules `lead` matches with their points, in the order given."""
    return [(rule, rule.points) for rule in rules if rule_matches(rule, lead)]
