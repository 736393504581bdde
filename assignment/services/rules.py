"""Writes on assignment rules (managers and admins)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from assignment.models import AssignmentRule
from core.exceptions import PermissionDenied
from core.services import save_validated
from users.models import User

RULE_FIELDS = [
    "order",
    "name",
    "active",
    "sources",
    "countries",
    "industries",
    "employees_min",
    "employees_max",
    "score_min",
    "ratings",
    "grades",
    "target_user",
    "target_team",
    "target_territory",
    "rep_levels",
    "rep_skills",
    "rep_functions",
    "fall_through",
    "method",
    "sla_policy",
    "reassign_on_breach",
]


def _check_may_configure(by: User) -> None:
    if by is None or not by.can_manage:
        raise PermissionDenied("Only managers and admins configure assignment.")


@transaction.atomic
def save_assignment_rule(rule: AssignmentRule, *, by: User) -> AssignmentRule:
    """Validate and save a new or edited assignment rule, leaving its round-robin cursor alone.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_may_configure(by)
    if rule.pk is None:
        save_validated(rule)
        return rule
    # Wait for assignments holding the row, and write only the configured fields, so an edit never
    # rewinds the cursor a concurrent assignment just advanced.
    AssignmentRule.objects.select_for_update().filter(pk=rule.pk).exists()
    save_validated(rule, update_fields=RULE_FIELDS)
    return rule


def create_assignment_rule(*, by: User, **fields: Any) -> AssignmentRule:
    """Create an assignment rule (managers and admins).

    Raises:
        PermissionDenied: `by` is a rep.
    """
    return save_assignment_rule(AssignmentRule(**fields), by=by)


def update_assignment_rule(rule: AssignmentRule, *, by: User, data: dict[str, Any]) -> AssignmentRule:
    """Change an assignment rule's criteria, target, method or order (managers and admins).

    Raises:
        PermissionDenied: `by` is a rep.
    """
    for name, value in data.items():
        if name in RULE_FIELDS:
            setattr(rule, name, value)
    return save_assignment_rule(rule, by=by)


@transaction.atomic
def delete_assignment_rule(rule: AssignmentRule, *, by: User) -> None:
    """Delete an assignment rule (managers and admins).

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_may_configure(by)
    AssignmentRule.objects.filter(pk=rule.pk).delete()
