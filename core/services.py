"""Helpers that services share."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone


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


def save_prechecked(instance: models.Model, *, update_fields: list[str] | None = None) -> None:
    """Validate and save `instance` whose related rows the caller just read or locked (a conversion's records).

    The foreign keys are not re-checked and the check constraints are left to the database: validating
    them one by one would cost a query each. A constraint race becomes a ValidationError, not a 500; the caller's
    transaction is then broken and must roll back as a whole (a conversion is all or nothing).
    """
    related = [field.name for field in instance._meta.concrete_fields if field.is_relation]
    instance.full_clean(exclude=related, validate_constraints=False)
    try:
        if update_fields is None:
            instance.save(force_insert=True)
        else:
            instance.save(update_fields=[*update_fields, "updated_at"])
    except IntegrityError as exc:
        raise ValidationError(
            {NON_FIELD_ERRORS: [f"The {instance._meta.verbose_name} conflicts with another record."]}
        ) from exc


def fill_empty_fields(instance: models.Model, values: dict[str, Any]) -> list[str]:
    """Copy `values` into the fields of `instance` that are empty; return the fields filled (nothing is saved)."""
    filled = []
    for field, value in values.items():
        if value in (None, "", False) or getattr(instance, field) not in (None, "", False):
            continue
        setattr(instance, field, value)
        filled.append(field)
    return filled


IDEMPOTENCY_WINDOW = timedelta(hours=24)


def claim_idempotency_key(*, user, key: str, fingerprint: str):
    """Claim `key` for `user`; return (record, True) when this request does the work, else the earlier record.

    Runs in its own short transaction (autocommit) so a concurrent duplicate sees the claim at once.
    """
    from core.models import IdempotencyKey

    now = timezone.now()
    IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=now - IDEMPOTENCY_WINDOW).delete()
    try:
        with transaction.atomic():
            record = IdempotencyKey.objects.create(user=user, key=key, fingerprint=fingerprint, created_at=now)
        return record, True
    except IntegrityError:
        record = IdempotencyKey.objects.filter(user=user, key=key).first()
        return record, False


def complete_idempotency_key(record, *, status_code: int, body: str) -> None:
    """Store the response of the claimed request so repeats replay it."""
    type(record).objects.filter(pk=record.pk).update(status_code=status_code, body=body)


def release_idempotency_key(record) -> None:
    """Drop a claim whose request failed unexpectedly, so the client may retry with the same key."""
    type(record).objects.filter(pk=record.pk, status_code__isnull=True).delete()


def forget_idempotent_responses(*, naming: str) -> int:
    """Delete the stored responses whose body contains `naming` (an erased person's address); return how many.

    A repeat of such a request then runs again instead of replaying the person's data.
    """
    from core.models import IdempotencyKey

    if not naming:
        return 0
    return IdempotencyKey.objects.filter(body__icontains=naming).delete()[0]


def purge_idempotency_keys() -> int:
    """Delete idempotency records older than the replay window; return how many."""
    from core.models import IdempotencyKey

    deleted, _ = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - IDEMPOTENCY_WINDOW).delete()
    return deleted


RETENTION_BATCH = 1000


def delete_in_batches(queryset: models.QuerySet, *, batch_size: int = RETENTION_BATCH) -> int:
    """Delete the rows of `queryset` a batch per transaction (short locks, bounded memory); return how many."""
    deleted = 0
    while ids := list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            deleted += queryset.model.objects.filter(pk__in=ids).delete()[0]
    return deleted
