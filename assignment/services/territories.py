"""Writes on territories (managers and admins)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from assignment.models import Territory
from core.exceptions import Conflict, PermissionDenied
from core.services import save_validated
from users.models import User

TERRITORY_FIELDS = ["name", "active", "countries", "regions", "postal_ranges"]
TERRITORY_LISTS = ["named_accounts", "reps"]


def _check_may_configure(by: User) -> None:
    if by is None or not by.can_manage:
        raise PermissionDenied("Only managers and admins configure territories.")


def _set_lists(territory: Territory, values: dict[str, Any]) -> None:
    for name in TERRITORY_LISTS:
        if name in values:
            getattr(territory, name).set(list(values[name] or []))


@transaction.atomic
def create_territory(*, by: User, **fields: Any) -> Territory:
    """Create a territory with its named accounts and reps (managers and admins).

    Raises:
        PermissionDenied: `by` is a rep.
        ValidationError: a field is invalid (a malformed postal range, a duplicate name).
    """
    _check_may_configure(by)
    territory = Territory(**{k: v for k, v in fields.items() if k in TERRITORY_FIELDS})
    save_validated(territory)
    _set_lists(territory, fields)
    return territory


@transaction.atomic
def update_territory(territory: Territory, *, by: User, data: dict[str, Any]) -> Territory:
    """Change a territory; the routing of leads already assigned is not revisited."""
    _check_may_configure(by)
    territory = Territory.objects.select_for_update().get(pk=territory.pk)
    changed = [name for name in TERRITORY_FIELDS if name in data and getattr(territory, name) != data[name]]
    for name in changed:
        setattr(territory, name, data[name])
    if changed:
        save_validated(territory, update_fields=[*changed, "updated_at"])
    _set_lists(territory, data)
    return territory


@transaction.atomic
def delete_territory(territory: Territory, *, by: User) -> None:
    """Delete a territory no assignment rule targets.

    Raises:
        Conflict: a rule still targets it.
    """
    _check_may_configure(by)
    if territory.assignment_rules.exists():
        raise Conflict("An assignment rule still targets this territory; change or delete the rule first.")
    Territory.objects.filter(pk=territory.pk).delete()
