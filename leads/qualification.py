"""The qualification checklist of a lead: BANT or MEDDIC, whichever the installation uses.

- **BANT**: Budget (`budget_amount`, and `budget_confirmed` yes/no), Authority (`authority`: the decision maker's
  role), Need (`need`), Timeline (`timeline_date`: the expected purchase date).
- **MEDDIC**: Metrics (`metrics`), Economic buyer (`economic_buyer`), Decision criteria (`decision_criteria`),
  Decision process (`decision_process`), Identify pain (`identify_pain`), Champion (`champion`).

The framework is the setting `FUNNEL_QUALIFICATION_FRAMEWORK` (`bant` | `meddic`, env-configurable; the project
has no admin-editable settings row). Both frameworks' answers are explicit lead columns (see `Lead`), flat in the
API under these names, so switching the framework loses nothing: the other framework's answers stay stored.

An item is answered when its value is given: Budget when the amount is (confirmed or not), the others when the
text or date is not empty. With `FUNNEL_QUALIFY_REQUIRES_CHECKLIST` on, qualifying a lead needs every item of the
framework answered (`leads.services.capture.change_lead_status` raises `QualificationIncomplete`).

At conversion the BANT budget and timeline become the new opportunity's amount and close date when the converting
user gives none (`conversion.services`); the opportunity page shows its source lead's checklist.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings

BANT = "bant"
MEDDIC = "meddic"


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    fields: tuple[str, ...]  # the first is the answer that makes the item complete


FRAMEWORKS: dict[str, tuple[Item, ...]] = {
    BANT: (
        Item("budget", "Budget", ("budget_amount", "budget_confirmed")),
        Item("authority", "Authority", ("authority",)),
        Item("need", "Need", ("need",)),
        Item("timeline", "Timeline", ("timeline_date",)),
    ),
    MEDDIC: (
        Item("metrics", "Metrics", ("metrics",)),
        Item("economic_buyer", "Economic buyer", ("economic_buyer",)),
        Item("decision_criteria", "Decision criteria", ("decision_criteria",)),
        Item("decision_process", "Decision process", ("decision_process",)),
        Item("identify_pain", "Identify pain", ("identify_pain",)),
        Item("champion", "Champion", ("champion",)),
    ),
}
FRAMEWORK_LABELS = {BANT: "BANT", MEDDIC: "MEDDIC"}
# Every checklist column of every framework, in the order the API and the import list them.
QUALIFICATION_FIELDS = [name for items in FRAMEWORKS.values() for item in items for name in item.fields]


def current_framework() -> str:
    """The installation's framework, `FUNNEL_QUALIFICATION_FRAMEWORK`."""
    return settings.FUNNEL_QUALIFICATION_FRAMEWORK


def framework_fields(framework: str | None = None) -> list[str]:
    """The lead columns of `framework`'s checklist (the current one by default)."""
    return [name for item in FRAMEWORKS[framework or current_framework()] for name in item.fields]


def _answered(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None


def missing_items(lead: Any, framework: str | None = None) -> list[Item]:
    """The items of the checklist `lead` has not answered yet."""
    return [
        item for item in FRAMEWORKS[framework or current_framework()] if not _answered(getattr(lead, item.fields[0]))
    ]


def checklist(lead: Any, framework: str | None = None) -> list[dict[str, Any]]:
    """The checklist of `lead` for display: each item's label, answers and whether it is complete."""
    items = FRAMEWORKS[framework or current_framework()]
    return [
        {
            "key": item.key,
            "label": item.label,
            "complete": _answered(getattr(lead, item.fields[0])),
            "values": {name: getattr(lead, name) for name in item.fields},
        }
        for item in items
    ]
