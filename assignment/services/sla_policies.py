"""Writes on first-touch (SLA) policies (managers and admins)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from assignment.models import SlaPolicy
from core.exceptions import PermissionDenied
from core.services import save_validated
from users.models import User

SLA_POLICY_FIELDS = ["name", "target_minutes", "time_zone", "working_days", "day_start", "day_end", "holidays", "team"]


def _check_may_configure(by: User) -> None:
    if by is None or not by.can_manage:
        raise PermissionDenied("Only managers and admins configure first-touch targets.")


@transaction.atomic
def create_sla_policy(*, by: User, **fields: Any) -> SlaPolicy:
    """Create a first-touch policy; clocks already running keep the due time they were given.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_may_configure(by)
    policy = SlaPolicy(**{name: value for name, value in fields.items() if name in SLA_POLICY_FIELDS})
    save_validated(policy)
    return policy


@transaction.atomic
def update_sla_policy(policy: SlaPolicy, *, by: User, data: dict[str, Any]) -> SlaPolicy:
    """Change a first-touch policy; it applies to clocks started from now on.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_may_configure(by)
    for name, value in data.items():
        if name in SLA_POLICY_FIELDS:
            setattr(policy, name, value)
    save_validated(policy, update_fields=[*SLA_POLICY_FIELDS, "updated_at"])
    return policy


@transaction.atomic
def delete_sla_policy(policy: SlaPolicy, *, by: User) -> None:
    """Delete a first-touch policy and the clocks it started (rules using it keep working without one).

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_may_configure(by)
    SlaPolicy.objects.filter(pk=policy.pk).delete()
