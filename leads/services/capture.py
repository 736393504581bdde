"""Writes on leads: capture, edit, status changes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from activities.services import record_event
from crm.common.exceptions import PermissionDenied
from crm.common.services import apply_changes, save_validated
from crm.common.text import normalize_email
from crm.users.models import User
from leads import signals
from leads.exceptions import LeadConverted
from leads.models import Lead, LeadStatusChange

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


def _check_owner_allowed(owner: User | None, *, by: User | None) -> None:
    if by is not None and owner is not None and owner != by and not by.can_manage:
        raise PermissionDenied("Only managers and admins may set the owner.", field="owner")


def _check_email_free(lead: Lead) -> None:
    if not lead.email:
        return
    clash = Lead.objects.exclude(status=Lead.Status.CONVERTED).filter(email__iexact=lead.email)
    if lead.pk:
        clash = clash.exclude(pk=lead.pk)
    if clash.exists():
        raise ValidationError({"email": ["An open lead with this email already exists."]})


def on_lead_captured(lead: Lead) -> None:
    """Kick the follow-up work a new or changed lead needs, after commit."""
    signals.lead_captured.send(sender=Lead, lead=lead)


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
        _check_owner_allowed(data["owner"], by=by)
        fields.append("owner")
    changes = apply_changes(lead, data, fields=fields)
    if "email" in changes:
        _check_email_free(lead)
    if not changes:
        return lead
    save_validated(lead, update_fields=list(changes))
    _record_field_changes(lead, changes, by=by)
    on_lead_captured(lead)
    return lead


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


def on_lead_converted(lead: Lead) -> None:
    """Kick the follow-up work a conversion needs (stop nurture), after commit."""
    signals.lead_converted.send(sender=Lead, lead=lead)
