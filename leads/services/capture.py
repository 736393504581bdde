"""Writes on leads: capture, edit, status changes."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activities.services import record_event
from crm.common.exceptions import ApplicationError, PermissionDenied
from crm.common.services import apply_changes, save_validated
from crm.common.text import normalize_email
from crm.users.models import User
from leads import signals
from leads.exceptions import LeadConverted
from leads.models import Lead, LeadStatusChange
from leads.tasks import assign_lead_task

EDITABLE_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "company",
    "title",
    "website",
    "industry",
    "employees",
    "annual_revenue",
    "country",
    "city",
    "source",
    "description",
    "do_not_contact",
]
# Fields whose changes are written to the timeline as an audit trail.
AUDITED_FIELDS = ["owner", "status", "email", "do_not_contact"]


def _check_owner_allowed(owner: User | None, *, by: User | None, current: User | None = None) -> None:
    """Only managers and admins choose owners; a rep may only name themselves on a new lead."""
    if by is None or by.can_manage or owner == current:
        return
    if current is None and owner == by:
        return
    raise PermissionDenied("Only managers and admins may set the owner.", field="owner")


def _check_email_free(lead: Lead) -> None:
    if not lead.email:
        return
    clash = Lead.objects.exclude(status=Lead.Status.CONVERTED).filter(email=normalize_email(lead.email))
    if lead.pk:
        clash = clash.exclude(pk=lead.pk)
    if clash.exists():
        raise ValidationError({"email": ["An open lead with this email already exists."]})


def on_lead_captured(lead: Lead, *, changed: Iterable[str] | None = None) -> None:
    """Kick the follow-up work a new (`changed` None) or changed lead needs, after commit."""
    from leads.scoring import SCORED_FIELDS
    from leads.tasks import score_lead_task

    if changed is None or SCORED_FIELDS.intersection(changed):
        score_lead_task.delay_on_commit(lead.pk)
    signals.lead_captured.send(sender=Lead, lead=lead)


def on_lead_reached_mql(lead: Lead) -> None:
    """Kick the follow-up work of a lead whose score first reached the MQL threshold (assignment when unassigned).

    Called by scoring inside its transaction, once per lead (the milestone is stamped once).
    """
    if lead.owner_id is None:
        assign_lead_task.delay_on_commit(lead.pk)


def on_leads_reached_mql(lead_ids: list[int]) -> None:
    """Kick the follow-up work of many leads that became MQLs in one bulk rescore chunk (the set-based twin above).

    Called inside the chunk's transaction. Nothing is enqueued per lead: the unassigned-leads sweeper (every
    minute, one set-based pass) assigns the unowned ones, so a million-lead rescore never floods the broker.
    """


def on_lead_converted(lead: Lead) -> None:
    """Stop the follow-up work of a lead that was just converted (caller holds the lead's lock).

    Called by `convert_lead` inside its transaction, after the lead is stamped converted; nurture's receiver
    stops the lead's active enrollments with reason "converted" after commit.
    """
    signals.lead_converted.send(sender=Lead, lead=lead)


@transaction.atomic
def create_lead(*, by: User | None, owner: User | None = None, status: str = Lead.Status.NEW, **fields: Any) -> Lead:
    """Create a lead; a rep's lead is theirs, anyone else's without `owner` goes to assignment."""
    _check_owner_allowed(owner, by=by)
    if owner is None and by is not None and by.role == User.Role.REP:
        owner = by
    if status == Lead.Status.CONVERTED:
        raise ValidationError({"status": ["A lead becomes converted only through conversion."]})
    lead = Lead(owner=owner, status=status, **{k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    lead.email = normalize_email(lead.email)
    if lead.status == Lead.Status.QUALIFIED:
        lead.qualified_at = timezone.now()
    _check_email_free(lead)
    save_validated(lead)
    LeadStatusChange.objects.create(
        lead=lead, from_status="", to_status=lead.status, changed_by=by, changed_at=lead.created_at
    )
    on_lead_captured(lead)
    if lead.owner_id is None:
        assign_lead_task.delay_on_commit(lead.pk)
    return lead


@transaction.atomic
def update_lead(lead: Lead, *, by: User | None, data: dict[str, Any]) -> Lead:
    """Edit a lead's details (and owner, for managers); status goes through `change_lead_status`.

    Raises:
        LeadConverted: the lead is converted and read-only.
    """
    lead = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    if lead.is_converted:
        raise LeadConverted(lead_id=lead.pk)
    data = dict(data)
    if "status" in data and data["status"] != lead.status:
        lead = change_lead_status(lead, to=data["status"], by=by, reason=data.get("unqualified_reason", ""))
    if "email" in data:
        data["email"] = normalize_email(data["email"])
    fields = list(EDITABLE_FIELDS)
    if "owner" in data:
        _check_owner_allowed(data["owner"], by=by, current=lead.owner)
        fields.append("owner")
    changes = apply_changes(lead, data, fields=fields)
    if "email" in changes:
        _check_email_free(lead)
    if not changes:
        return lead
    save_validated(lead, update_fields=list(changes))
    _record_field_changes(lead, changes, by=by)
    on_lead_captured(lead, changed=changes)
    return lead


@transaction.atomic
def delete_lead(lead: Lead, *, by: User | None) -> None:
    """Delete a lead that is not converted; its status history and timeline go with it.

    Raises:
        LeadConverted: the lead is converted and read-only.
    """
    lead = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    if lead.is_converted:
        raise LeadConverted(lead_id=lead.pk)
    lead.delete()


@dataclasses.dataclass
class BulkUpsertResult:
    created: int = 0
    updated: int = 0
    failures: list[tuple[int, Exception]] = dataclasses.field(default_factory=list)


def upsert_leads(rows: list[tuple[int, dict[str, Any]]], *, by: User) -> BulkUpsertResult:
    """Create or update each `(index, data)` row matched by email among the leads `by` can see.

    Each row commits on its own, so valid rows are saved even when others fail; a
    failed row leaves nothing behind and its error is returned with its index.
    """
    result = BulkUpsertResult()
    for index, data in rows:
        try:
            with transaction.atomic():
                email = normalize_email(data.get("email"))
                match = (
                    Lead.objects.visible_to(by).exclude(status=Lead.Status.CONVERTED).filter(email=email).first()
                    if email
                    else None
                )
                if match is None:
                    create_lead(by=by, **data)
                    result.created += 1
                else:
                    update_lead(match, by=by, data=data)
                    result.updated += 1
        except (ValidationError, ApplicationError) as exc:
            result.failures.append((index, exc))
    return result


def _record_field_changes(lead: Lead, changes: dict, *, by: User | None) -> None:
    for field, (old, new) in changes.items():
        if field not in AUDITED_FIELDS:
            continue
        record_event(
            "field_changed",
            f"{field.replace('_', ' ').capitalize()} changed from {_display(old)} to {_display(new)}",
            by=by,
            lead=lead,
            data={"field": field, "from": _raw(old), "to": _raw(new)},
        )


def _display(value: Any) -> str:
    return "—" if value in (None, "") else str(value)


def _raw(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def change_lead_status(lead: Lead, *, to: str, by: User | None, reason: str = "") -> Lead:
    """Move a lead to status `to`, record who/from/to/when, stamp the SQL milestone once.

    Raises:
        LeadConverted: the lead is converted and read-only.
    """
    lead = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    if lead.is_converted:
        raise LeadConverted(lead_id=lead.pk)
    if to not in Lead.Status.values or to == Lead.Status.CONVERTED:
        raise ValidationError(
            {"status": [f"Choose one of new, working, nurturing, qualified, unqualified (not {to!r})."]}
        )
    if to == lead.status:
        return lead
    now = timezone.now()
    LeadStatusChange.objects.create(
        lead=lead, from_status=lead.status, to_status=to, changed_by=by, changed_at=now, reason=reason[:255]
    )
    lead.status = to
    update_fields = ["status"]
    if to == Lead.Status.QUALIFIED and lead.qualified_at is None:
        lead.qualified_at = now
        update_fields.append("qualified_at")
    if to == Lead.Status.UNQUALIFIED:
        lead.unqualified_reason = reason[:255]
        update_fields.append("unqualified_reason")
    save_validated(lead, update_fields=update_fields)
    on_lead_status_changed(lead)
    return lead


def on_lead_status_changed(lead: Lead) -> None:
    """Kick the follow-up work a status change needs (nurture enrolment and exits), after commit."""
    signals.lead_status_changed.send(sender=Lead, lead=lead)


def on_lead_score_changed(lead: Lead) -> None:
    """Kick the follow-up work a new score needs (nurture enrolment by score band, MQL exit), after commit."""
    signals.lead_score_changed.send(sender=Lead, lead=lead)
