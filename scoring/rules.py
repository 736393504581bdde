"""Lead scoring: what a rule may look at, how rules compile to SQL, and what counts as engagement.

    score = clamp(fit + engagement, 0, 100); rating hot ≥ FUNNEL_RATING_HOT, warm ≥ FUNNEL_RATING_WARM, else cold

- **fit** is the sum of the points of every active `ScoringRule` a lead matches. Each rule compiles to one
  `CASE WHEN <condition> THEN points ELSE 0 END` built with Django's Case/When/Q, so the same code runs on
  SQLite and PostgreSQL.
- **engagement** is, for every engagement the lead had, the `EngagementWeight` points of its kind halved every
  half-life (`FUNNEL_ENGAGEMENT_HALF_LIFE`, default 30 days): `points * 0.5^(age / half_life)`. Each
  engagement is first rounded to thousandths of a point (an integer), the integers are summed, and the sum is
  rounded half up to whole points — integer sums do not depend on the order the database adds rows in.

Engagement kinds — other features write these, scoring reads them:

- `activities.Event` rows with kind `"nurture_opened"`, `"nurture_clicked"` (a nurture email was opened /
  a link in it clicked), `"form_submitted"` (a web-to-lead form was posted again by a known lead) and
  `"reply"` (the lead replied to an email);
- `activities.Activity` rows with kind `"meeting"` or `"call"`.

How rules become SQL is in `scoring.sql`.
"""

from __future__ import annotations

import operator as op
from decimal import Decimal, InvalidOperation
from functools import reduce
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, Q, Value, When


class Rule(Protocol):
    """What compiling a rule reads: a `scoring.models.ScoringRule` (this module sits below the models)."""

    field: str
    operator: str
    value: str
    points: int


# --- engagement kinds --------------------------------------------------------------------------------
NURTURE_OPENED = "nurture_opened"
NURTURE_CLICKED = "nurture_clicked"
FORM_SUBMITTED = "form_submitted"
REPLY = "reply"
MEETING = "meeting"
CALL = "call"
EVENT_ENGAGEMENT_KINDS = (NURTURE_OPENED, NURTURE_CLICKED, FORM_SUBMITTED, REPLY)
ACTIVITY_ENGAGEMENT_KINDS = (MEETING, CALL)
ENGAGEMENT_KINDS = EVENT_ENGAGEMENT_KINDS + ACTIVITY_ENGAGEMENT_KINDS
ENGAGEMENT_LABELS = {
    NURTURE_OPENED: "Nurture email opened",
    NURTURE_CLICKED: "Nurture email clicked",
    FORM_SUBMITTED: "Web form submitted",
    REPLY: "Replied",
    MEETING: "Meeting",
    CALL: "Call",
}
# 0.5^60 of at most 100 points is far below the 0.0005 that could change a rounded score; capping the exponent
# keeps PostgreSQL's power() from raising an underflow error on very old engagements.
MAX_HALF_LIVES = 60
MQL_EVENT_KIND = "mql"
ENGAGEMENT_LINE = "Engagement"
CLAMP_LINE = "Score limited to 0-100"

# --- what a rule may look at ----------------------------------------------------------------------------
TEXT_FIELDS = ("title", "company", "email", "phone", "website", "industry", "country", "city")
CHOICE_FIELDS = ("source", "status")
# budget_amount and budget_confirmed are the lead's BANT budget answers (`leads.qualification`): grade rules use them.
NUMBER_FIELDS = ("employees", "annual_revenue", "budget_amount")
BOOLEAN_FIELDS = ("do_not_contact", "budget_confirmed")
SCORED_FIELDS = frozenset(TEXT_FIELDS + CHOICE_FIELDS + NUMBER_FIELDS + BOOLEAN_FIELDS)

_TEXT_OPERATORS = {"equals", "not_equals", "in", "contains", "starts_with", "is_set", "is_blank"}
OPERATORS_BY_FIELD: dict[str, set[str]] = {
    **{f: set(_TEXT_OPERATORS) for f in TEXT_FIELDS},
    **{f: {"equals", "not_equals", "in"} for f in CHOICE_FIELDS},
    **{f: {"equals", "not_equals", "in", "gte", "lte", "is_set", "is_blank"} for f in NUMBER_FIELDS},
    **{f: {"equals", "not_equals"} for f in BOOLEAN_FIELDS},
}
OPERATORS_BY_FIELD["email"].add("free_mail")
_NO_VALUE = {"is_set", "is_blank", "free_mail"}
_LIST_OPERATORS = {"in", "contains", "starts_with"}
_TRUE, _FALSE = {"true", "yes", "1", "on"}, {"false", "no", "0", "off"}


def _choices(field: str) -> list[str]:
    from leads.models import Lead

    return list(Lead.Source.values if field == "source" else Lead.Status.values)


def parse_value(field: str, operator: str, value: str) -> Any:
    """Read a rule's text `value` as the operator and field need it; raise ValidationError naming `value`."""
    if operator in _NO_VALUE:
        return None
    raw = (value or "").strip()
    items = [item.strip() for item in raw.split(",") if item.strip()] if operator in _LIST_OPERATORS else [raw]
    if not items or not items[0]:
        raise ValidationError({"value": ["This operator needs a value."]})
    if field in NUMBER_FIELDS:
        try:
            numbers = [Decimal(item) for item in items]
        except InvalidOperation:
            raise ValidationError({"value": [f"{field} is compared with numbers, e.g. 200 or 1,000 as 1000."]})
        if any(not n.is_finite() or abs(n) >= Decimal("1e14") for n in numbers):
            raise ValidationError({"value": ["Use a number below 100,000,000,000,000."]})
        parsed: list[Any] = numbers
    elif field in BOOLEAN_FIELDS:
        word = items[0].lower()
        if word not in _TRUE | _FALSE:
            raise ValidationError({"value": ["Use true or false."]})
        parsed = [word in _TRUE]
    elif field in CHOICE_FIELDS:
        parsed = [item.lower() for item in items]
        unknown = [item for item in parsed if item not in _choices(field)]
        if unknown:
            raise ValidationError(
                {"value": [f"Unknown {field} {unknown[0]!r}; choose from {', '.join(_choices(field))}."]}
            )
    else:
        parsed = items
    return parsed if operator in _LIST_OPERATORS else parsed[0]


def validate_rule(field: str, operator: str, value: str) -> None:
    """Raise ValidationError naming `field`, `operator` or `value` when a rule cannot be compiled."""
    if field not in OPERATORS_BY_FIELD:
        raise ValidationError({"field": [f"Rules may use {', '.join(sorted(OPERATORS_BY_FIELD))} (not {field!r})."]})
    if operator not in OPERATORS_BY_FIELD[field]:
        allowed = ", ".join(sorted(OPERATORS_BY_FIELD[field]))
        raise ValidationError({"operator": [f"{field} can be compared with {allowed} (not {operator!r})."]})
    parse_value(field, operator, value)


def rule_condition(field: str, operator: str, value: str) -> Q:
    """Compile one rule to a Q on Lead."""
    parsed = parse_value(field, operator, value)
    is_text = field in TEXT_FIELDS

    def equals(item: Any) -> Q:
        return Q(**{f"{field}__iexact": item}) if is_text else Q(**{field: item})

    if operator == "equals":
        return equals(parsed)
    if operator == "not_equals":
        return ~equals(parsed)
    if operator == "in":
        return reduce(op.or_, (equals(item) for item in parsed)) if is_text else Q(**{f"{field}__in": parsed})
    if operator == "contains":
        return reduce(op.or_, (Q(**{f"{field}__icontains": item}) for item in parsed))
    if operator == "starts_with":
        return reduce(op.or_, (Q(**{f"{field}__istartswith": item}) for item in parsed))
    if operator == "gte":
        return Q(**{f"{field}__gte": parsed})
    if operator == "lte":
        return Q(**{f"{field}__lte": parsed})
    if operator in ("is_set", "is_blank"):
        blank = Q(**{field: ""}) if is_text else Q(**{f"{field}__isnull": True})
        return blank if operator == "is_blank" else ~blank
    if operator == "free_mail":
        # Every writer stores emails trimmed and lower-cased, so a case-sensitive suffix match is exact.
        domains = sorted(settings.FUNNEL_FREE_MAIL_DOMAINS)
        if not domains:
            return Q(pk__in=[])
        return reduce(op.or_, (Q(email__endswith=f"@{domain}") for domain in domains))
    raise ValidationError({"operator": [f"Unknown operator {operator!r}."]})


def rule_points(rule: Rule) -> Case:
    """`CASE WHEN <rule matches> THEN points ELSE 0 END`."""
    return Case(
        When(rule_condition(rule.field, rule.operator, rule.value), then=Value(rule.points)),
        default=Value(0),
        output_field=IntegerField(),
    )


def fit_expression(rules: list[Rule]):
    """The sum of every rule's CASE expression (0 without rules)."""
    terms = [rule_points(rule) for rule in rules]
    return reduce(op.add, terms) if terms else Value(0, output_field=IntegerField())
