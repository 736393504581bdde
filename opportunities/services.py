"""Writes on opportunities: create, edit, move through stages, close."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from activities.services import record_event
from activities.work import forget_work
from contacts.models import Contact
from contacts.selectors import account_contacts_filter
from core.events import publish
from core.exceptions import Conflict, PermissionDenied
from core.services import apply_changes, save_prechecked, save_validated
from opportunities.events import OpportunityEvent
from opportunities.forecasting import FORECAST_FIELDS, set_forecast_category
from opportunities.models import (
    Opportunity,
    OpportunityCloseDateChange,
    OpportunityContactRole,
    OpportunityStageChange,
    Stage,
)

EDITABLE_FIELDS = [
    "name",
    "account",
    "amount",
    "close_date",
    "probability",
    "forecast_category",
    "forecast_note",
    "lead_source",
    "next_step",
    "lost_reason",
    "description",
]
# The record's id in another system (the Salesforce-compatible API's External_Id__c): written, not on forms.
WRITABLE_FIELDS = [*EDITABLE_FIELDS, "external_id"]
AUDITED_FIELDS = ["owner", "amount", "close_date"]


@dataclass(frozen=True)
class ContactRole:
    """A contact's part in a deal (Decision maker, Champion …); one role per deal is primary."""

    contact: Contact
    role: str = ""
    is_primary: bool = False


def first_open_stage() -> Stage:
    return Stage.objects.open().order_by("order", "id").first()


@transaction.atomic
def create_opportunity(
    *,
    by,
    account,
    stage: Stage | None = None,
    owner=None,
    contact_roles: list[ContactRole] | None = None,
    **fields: Any,
) -> Opportunity:
    """Create an opportunity at `stage` (the first open stage by default), with its first stage-history row and
    its `contact_roles` (contacts of `account`; the first is primary unless one says so)."""
    if owner is not None and owner != by and by is not None and not by.can_manage:
        raise PermissionDenied("Only managers and admins may set the owner.", field="owner")
    stage = stage or first_open_stage()
    opportunity = Opportunity(
        account=account,
        stage=stage,
        owner=owner or by,
        probability=stage.probability,
        forecast_category=stage.forecast_category,
        **{k: v for k, v in fields.items() if k in WRITABLE_FIELDS and k != "account"},
    )
    # A category other than the stage's, given at creation, is the owner's call like a later override.
    opportunity.forecast_overridden = not stage.is_closed and opportunity.forecast_category != stage.forecast_category
    if stage.is_closed:
        opportunity.closed_at = timezone.now()
        opportunity.forecast_category = stage.forecast_category
    save_validated(opportunity)
    OpportunityStageChange.objects.create(
        opportunity=opportunity,
        from_stage=None,
        to_stage=stage,
        amount=opportunity.amount,
        changed_by=by,
        changed_at=opportunity.created_at,
    )
    if contact_roles:
        _set_contact_roles(opportunity, contact_roles)
    publish(OpportunityEvent.CREATED, opportunity, by=by)
    if stage.is_closed:
        publish(OpportunityEvent.CLOSED, opportunity, by=by, data={"stage": stage.pk, "won": stage.is_won})
    return opportunity


def _set_contact_roles(opportunity: Opportunity, roles: list[ContactRole]) -> list[ContactRole] | None:
    """Make `roles` the deal's contact roles (caller holds the deal); return them as written, or None if unchanged.

    Raises:
        ValidationError: on `contact_roles`: a contact twice, two primaries, or a contact not of the deal's account.
    """
    roles = list(roles)
    ids = [role.contact.pk for role in roles]
    if len(set(ids)) != len(ids):
        raise ValidationError({"contact_roles": ["A contact can play only one role on a deal."]})
    if sum(role.is_primary for role in roles) > 1:
        raise ValidationError({"contact_roles": ["Only one contact can be the primary one."]})
    if ids:
        of_account = set(
            Contact.objects.filter(account_contacts_filter(opportunity.account_id), pk__in=ids).values_list(
                "pk", flat=True
            )
        )
        strangers = [role.contact for role in roles if role.contact.pk not in of_account]
        if strangers:
            raise ValidationError(
                {"contact_roles": [f"{strangers[0]} is not a contact of {opportunity.account}: pick one of theirs."]}
            )
        if not any(role.is_primary for role in roles):
            roles[0] = replace(roles[0], is_primary=True)
    wanted = {(role.contact.pk, role.role.strip(), role.is_primary) for role in roles}
    if wanted == set(opportunity.contact_roles.values_list("contact_id", "role", "is_primary")):
        return None
    rows = [
        OpportunityContactRole(opportunity=opportunity, contact=r.contact, role=r.role.strip(), is_primary=r.is_primary)
        for r in roles
    ]
    for row in rows:
        row.full_clean(exclude=["opportunity", "contact"], validate_unique=False, validate_constraints=False)
    opportunity.contact_roles.all().delete()
    OpportunityContactRole.objects.bulk_create(rows)
    return roles


# No savepoint: these run inside a conversion, which succeeds or rolls back whole.
@transaction.atomic(savepoint=False)
def add_opportunity(opportunity: Opportunity, *, by, contact=None) -> Opportunity:
    """Save a new opportunity whose account, stage and owner the caller already checked, with its first stage-history
    row and `contact` as its primary contact role (a conversion's opportunity)."""
    save_prechecked(opportunity)
    OpportunityStageChange.objects.create(
        opportunity=opportunity,
        to_stage=opportunity.stage,
        amount=opportunity.amount,
        changed_by=by,
        changed_at=opportunity.created_at,
    )
    if contact is not None:
        OpportunityContactRole.objects.create(opportunity=opportunity, contact=contact, is_primary=True)
    publish(OpportunityEvent.CREATED, opportunity, by=by)
    return opportunity


@transaction.atomic
def update_opportunity(opportunity: Opportunity, *, by, data: dict[str, Any]) -> Opportunity:
    """Edit an opportunity; a new `stage` in `data` goes through `move_opportunity_stage`; `contact_roles` (a list
    of ContactRole) replaces the deal's contact roles."""
    opportunity = Opportunity.objects.select_for_update(of=("self",)).select_related("stage").get(pk=opportunity.pk)
    if "stage" in data and data["stage"] != opportunity.stage:
        opportunity = move_opportunity_stage(
            opportunity, stage=data["stage"], by=by, lost_reason=data.get("lost_reason", "")
        )
    if any(name in data for name in FORECAST_FIELDS):
        opportunity = set_forecast_category(
            opportunity,
            category=data.get("forecast_category", opportunity.forecast_category),
            note=data.get("forecast_note", opportunity.forecast_note),
            by=by,
        )
    fields = [name for name in WRITABLE_FIELDS if name not in FORECAST_FIELDS]
    if "owner" in data:
        if data["owner"] != opportunity.owner and not by.can_manage:
            raise PermissionDenied("Only managers and admins may set the owner.", field="owner")
        fields.append("owner")
    changes = apply_changes(opportunity, data, fields=fields)
    if changes:
        save_validated(opportunity, update_fields=list(changes))
        if "close_date" in changes:
            OpportunityCloseDateChange.objects.create(
                opportunity=opportunity,
                from_date=changes["close_date"][0],
                to_date=changes["close_date"][1],
                changed_by=by,
                changed_at=timezone.now(),
            )
        for field, (old, new) in changes.items():
            if field in AUDITED_FIELDS:
                old_raw, new_raw = getattr(old, "pk", old), getattr(new, "pk", new)
                record_event(
                    "field_changed",
                    f"{field.replace('_', ' ').capitalize()} changed from {old if old not in (None, '') else '—'} to {new if new not in (None, '') else '—'}",
                    by=by,
                    opportunity=opportunity,
                    data={
                        "field": field,
                        "from": str(old_raw) if old_raw is not None else None,
                        "to": str(new_raw) if new_raw is not None else None,
                    },
                )
    written = _set_contact_roles(opportunity, data["contact_roles"]) if "contact_roles" in data else None
    if written is not None:
        names = ", ".join(f"{r.contact}{' (primary)' if r.is_primary else ''}" for r in written)
        record_event(
            "contact_roles_changed",
            f"Contact roles: {names or 'none'}",
            by=by,
            opportunity=opportunity,
            data={"contacts": [r.contact.pk for r in written]},
        )
    return opportunity


@transaction.atomic
def move_opportunity_stage(opportunity: Opportunity, *, stage: Stage, by, lost_reason: str = "") -> Opportunity:
    """Move an opportunity to `stage`; probability follows the stage, and so does the forecast category unless the
    owner overrode it on the open deal; closing stamps `closed_at` and always takes the stage's category."""
    opportunity = Opportunity.objects.select_for_update(of=("self",)).select_related("stage").get(pk=opportunity.pk)
    if stage.pk == opportunity.stage_id:
        return opportunity
    if stage.is_closed and not stage.is_won and not (lost_reason or opportunity.lost_reason):
        raise ValidationError({"lost_reason": ["Say why the deal was lost."]})
    previous = opportunity.stage
    opportunity.stage = stage
    opportunity.probability = stage.probability
    if stage.is_closed or not opportunity.forecast_overridden:
        opportunity.forecast_category = stage.forecast_category
        opportunity.forecast_overridden = False
    opportunity.closed_at = timezone.now() if stage.is_closed else None
    if lost_reason:
        opportunity.lost_reason = lost_reason[:255]
    save_validated(
        opportunity,
        update_fields=["stage", "probability", "forecast_category", "forecast_overridden", "closed_at", "lost_reason"],
    )
    OpportunityStageChange.objects.create(
        opportunity=opportunity,
        from_stage=previous,
        to_stage=stage,
        amount=opportunity.amount,
        changed_by=by,
        changed_at=timezone.now(),
    )
    publish(OpportunityEvent.STAGE_CHANGED, opportunity, by=by, data={"from": previous.pk, "to": stage.pk})
    if stage.is_closed:
        publish(OpportunityEvent.CLOSED, opportunity, by=by, data={"stage": stage.pk, "won": stage.is_won})
    return opportunity


@transaction.atomic
def delete_opportunity(opportunity: Opportunity, *, by) -> None:
    """Delete an opportunity that did not come from a lead conversion.

    Raises:
        Conflict: a converted lead refers to the opportunity.
    """
    opportunity = Opportunity.objects.select_for_update(of=("self",)).get(pk=opportunity.pk)
    forget_work(opportunity=opportunity)  # their timeline goes with it (rolled back on a refusal)
    try:
        with transaction.atomic():
            opportunity.delete()
    except ProtectedError as exc:
        raise Conflict("This opportunity came from a lead conversion and cannot be deleted.") from exc


STAGE_FIELDS = ["name", "order", "probability", "is_closed", "is_won", "forecast_category"]


@transaction.atomic
def create_stage(*, by, **fields: Any) -> Stage:
    """Add a pipeline stage."""
    stage = Stage(**{k: v for k, v in fields.items() if k in STAGE_FIELDS})
    save_validated(stage)
    return stage


@transaction.atomic
def update_stage(stage: Stage, *, by, data: dict[str, Any]) -> Stage:
    """Edit a stage; open deals keep their probability until they move."""
    stage = Stage.objects.select_for_update().get(pk=stage.pk)
    changes = apply_changes(stage, data, fields=STAGE_FIELDS)
    if changes:
        save_validated(stage, update_fields=list(changes))
    return stage


@transaction.atomic
def delete_stage(stage: Stage, *, by) -> None:
    """Delete a stage no opportunity or history row uses.

    Raises:
        Conflict: the stage is in use.
    """
    try:
        with transaction.atomic():
            Stage.objects.filter(pk=stage.pk).delete()
    except ProtectedError as exc:
        raise Conflict("This stage is used by opportunities or their history; move them first.") from exc
