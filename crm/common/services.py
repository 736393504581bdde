"""Helpers that services share."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction


def apply_changes(instance: models.Model, data: dict[str, Any], *, fields: list[str]) -> dict[str, tuple[Any, Any]]:
    """Set the allowed `fields` of `instance` from `data`; return {field: (old, new)} for those that changed."""
    changes: dict[str, tuple[Any, Any]] = {}
    for field in fields:
        if field not in data:
            continue
        old, new = getattr(instance, field), data[field]
        if old != new:
            changes[field] = (old, new)
            setattr(instance, field, new)
    return changes


def save_validated(instance: models.Model, *, update_fields: list[str] | None = None) -> None:
    """`full_clean()` then save, turning a constraint race into a ValidationError instead of a 500."""
    instance.full_clean()
    try:
        with transaction.atomic():
            if update_fields is None:
                instance.save()
            else:
                instance.save(
                    update_fields=[*update_fields, "updated_at"] if hasattr(instance, "updated_at") else update_fields
                )
    except IntegrityError as exc:
        raise ValidationError(f"The record conflicts with another one: {exc.__class__.__name__}.") from exc
