"""Writes on sequence configuration: a sequence with its ordered steps, saved together."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from core.exceptions import PermissionDenied
from core.services import apply_changes, save_validated
from nurture.exceptions import SequenceInUse, StepInUse
from nurture.models import Delivery, Enrollment, Sequence, Step
from users.models import User

SEQUENCE_FIELDS = [
    "name",
    "description",
    "active",
    "trigger",
    "trigger_score_min",
    "trigger_score_max",
    "trigger_source",
    "exit_on_status_change",
    "exit_on_reply",
    "exit_on_mql",
    "exit_on_click",
    "send_days",
    "send_start_hour",
    "send_end_hour",
    "time_zone",
    "daily_cap",
    "campaign",
]
STEP_FIELDS = ["order", "delay_days", "delay_hours", "subject", "body_text", "body_html"]


def _check_can_configure(by: User | None) -> None:
    if by is not None and not by.can_manage:
        raise PermissionDenied("Only managers and admins configure nurture.")


def _save_steps(sequence: Sequence, steps: list[dict[str, Any]]) -> None:
    """Make the sequence's steps exactly `steps` (matched by `id`; others created; missing ones removed)."""
    existing = {step.pk: step for step in sequence.steps.all()}
    keep = {item["id"] for item in steps if item.get("id") in existing}
    removed = [pk for pk in existing if pk not in keep]
    if removed and (
        Delivery.objects.filter(step_id__in=removed).exists()
        or Enrollment.objects.filter(current_step_id__in=removed).exists()
    ):
        raise StepInUse(field="steps")
    Step.objects.filter(pk__in=removed).delete()
    # Orders may be swapped in one request: park kept steps out of the way of the unique (sequence, order).
    for offset, pk in enumerate(sorted(keep)):
        Step.objects.filter(pk=pk).update(order=30000 + offset)
    orders = [item.get("order") for item in steps]
    if len(set(orders)) != len(orders):
        raise ValidationError({"steps": ["Each step needs its own order."]})
    for item in steps:
        step = existing.get(item.get("id")) or Step(sequence=sequence)
        for field in STEP_FIELDS:
            if field in item:
                setattr(step, field, item[field])
        try:
            step.full_clean(exclude=["sequence"], validate_constraints=False)
        except ValidationError as exc:
            raise ValidationError({"steps": [f"Step {item.get('order')}: {m}" for m in exc.messages]}) from None
        step.save()


@transaction.atomic
def create_sequence(*, by: User | None, steps: list[dict[str, Any]] | None = None, **fields: Any) -> Sequence:
    """Create a sequence and its steps.

    Raises:
        PermissionDenied: `by` is a rep.
    """
    _check_can_configure(by)
    sequence = Sequence(**{k: v for k, v in fields.items() if k in SEQUENCE_FIELDS})
    save_validated(sequence)
    _save_steps(sequence, steps or [])
    return sequence


@transaction.atomic
def update_sequence(sequence: Sequence, *, by: User | None, data: dict[str, Any]) -> Sequence:
    """Edit a sequence; when `steps` is given, it replaces the step list (steps already used cannot be removed).

    Raises:
        PermissionDenied: `by` is a rep.
        StepInUse: a removed step was sent or is next for an enrollment.
    """
    _check_can_configure(by)
    sequence = Sequence.objects.select_for_update().get(pk=sequence.pk)
    changes = apply_changes(sequence, data, fields=SEQUENCE_FIELDS)
    if changes:
        save_validated(sequence, update_fields=list(changes))
    if "steps" in data:
        _save_steps(sequence, data["steps"])
    return sequence


@transaction.atomic
def delete_sequence(sequence: Sequence, *, by: User | None) -> None:
    """Delete a sequence that never had an enrollment.

    Raises:
        SequenceInUse: leads were enrolled in it (deactivate it instead, to keep their history).
    """
    _check_can_configure(by)
    sequence = Sequence.objects.select_for_update().get(pk=sequence.pk)
    if sequence.enrollments.exists():
        raise SequenceInUse()
    sequence.delete()
