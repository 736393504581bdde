"""Writes on leads: capture, edit, status changes."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from activities.services import record_field_changes
from activities.work import add_work
from core.events import publish
from core.exceptions import ApplicationError, PermissionDenied
from core.services import apply_changes, save_prechecked, save_validated
from core.suppression import check_not_suppressed
from core.text import normalize_email
from leads.events import LeadEvent
from leads.exceptions import LeadAlreadyConverted, LeadConverted, QualificationIncomplete
from leads.models import Lead, LeadStatusChange
from leads.qualification import QUALIFICATION_FIELDS, missing_items
from users.models import User

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
    "state",
    "postal_code",
    "city",
    "source",
    "description",
    "do_not_contact",
    # The qualification checklist, BANT then MEDDIC (leads.qualification).
    *QUALIFICATION_FIELDS,
]
# The record's id in another system (the Salesforce-compatible API's External_Id__c): written, not on forms.
WRITABLE_FIELDS = [*EDITABLE_FIELDS, "external_id"]
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
    """Refuse an email an open lead already has: the test of `lead_one_open_lead_per_email`, on its own index."""
    if not lead.email:
        return
    clash = (
        Lead.objects.exclude(status=Lead.Status.CONVERTED)
        .exclude(email="")
        .alias(lower_email=Lower("email"))
        .filter(lower_email=normalize_email(lead.email))
    )
    if lead.pk:
        clash = clash.exclude(pk=lead.pk)
    if clash.exists():
        raise ValidationError({"email": ["An open lead with this email already exists."]})


@transaction.atomic
def create_lead(*, by: User | None, owner: User | None = None, status: str = Lead.Status.NEW, **fields: Any) -> Lead:
    """Create a lead; a rep's lead is theirs, anyone else's without `owner` goes to assignment."""
    _check_owner_allowed(owner, by=by)
    if owner is None and by is not None and by.role == User.Role.REP:
        owner = by
    if status == Lead.Status.CONVERTED:
        raise ValidationError({"status": ["A lead becomes converted only through conversion."]})
    lead = Lead(owner=owner, status=status, **{k: v for k, v in fields.items() if k in WRITABLE_FIELDS})
    lead.email = normalize_email(lead.email)
    check_not_suppressed(lead.email, what="lead")
    if lead.status == Lead.Status.QUALIFIED:
        _check_qualification_complete(lead)
        lead.qualified_at = timezone.now()
    _check_email_free(lead)
    # The owner comes loaded from the caller, the email was checked just above and a new lead's check constraints
    # (converted stamps, score) hold by construction: validating them again would cost a query each.
    save_prechecked(lead)
    LeadStatusChange.objects.create(
        lead=lead, from_status="", to_status=lead.status, changed_by=by, changed_at=lead.created_at
    )
    publish(LeadEvent.CREATED, lead, by=by, data={"owner": lead.owner_id})
    return lead


@transaction.atomic
def update_lead(lead: Lead, *, by: User | None, data: dict[str, Any]) -> Lead:
    """Edit a lead's details (and owner, for managers); status goes through `change_lead_status`, after the details,
    so that one edit may fill the qualification checklist and qualify the lead.

    Raises:
        LeadConverted: the lead is converted and read-only.
        QualificationIncomplete: the edit qualifies the lead, the checklist is required and not complete.
    """
    lead = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    if lead.is_converted:
        raise LeadConverted(lead_id=lead.pk)
    data = dict(data)
    status = data.pop("status", lead.status)
    reason = data.get("unqualified_reason", "")
    lead = _update_details(lead, by=by, data=data)
    if status != lead.status:
        lead = change_lead_status(lead, to=status, by=by, reason=reason)
    return lead


def _update_details(lead: Lead, *, by: User | None, data: dict[str, Any]) -> Lead:
    if "email" in data:
        data["email"] = normalize_email(data["email"])
    fields = list(WRITABLE_FIELDS)
    if "owner" in data:
        _check_owner_allowed(data["owner"], by=by, current=lead.owner)
        fields.append("owner")
    changes = apply_changes(lead, data, fields=fields)
    if "email" in changes:
        check_not_suppressed(lead.email, what="lead")
        _check_email_free(lead)
    if not changes:
        return lead
    save_validated(lead, update_fields=list(changes))
    record_field_changes(changes, audited=AUDITED_FIELDS, by=by, lead=lead)
    publish(LeadEvent.UPDATED, lead, by=by, data={"fields": sorted(changes)})
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


def _check_qualification_complete(lead: Lead) -> None:
    """With `FUNNEL_QUALIFY_REQUIRES_CHECKLIST`, refuse to qualify a lead whose checklist is not complete."""
    if not settings.FUNNEL_QUALIFY_REQUIRES_CHECKLIST:
        return
    missing = missing_items(lead)
    if missing:
        raise QualificationIncomplete(
            field="status", missing=", ".join(item.label for item in missing), missing_keys=[i.key for i in missing]
        )


@transaction.atomic
def change_lead_status(lead: Lead, *, to: str, by: User | None, reason: str = "", only_from: str | None = None) -> Lead:
    """Move a lead to status `to`, record who/from/to/when, stamp the SQL milestone once.

    With `only_from`, a lead not in that status (read under the lock) is left as it is.

    Raises:
        LeadConverted: the lead is converted and read-only.
        QualificationIncomplete: `to` is qualified, `FUNNEL_QUALIFY_REQUIRES_CHECKLIST` is on and the
            qualification checklist is not complete.
    """
    lead = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
    if lead.is_converted:
        raise LeadConverted(lead_id=lead.pk)
    if to not in Lead.Status.values or to == Lead.Status.CONVERTED:
        raise ValidationError(
            {"status": [f"Choose one of new, working, nurturing, qualified, unqualified (not {to!r})."]}
        )
    if to == lead.status or (only_from is not None and lead.status != only_from):
        return lead
    if to == Lead.Status.QUALIFIED:
        _check_qualification_complete(lead)
    now = timezone.now()
    previous = lead.status
    LeadStatusChange.objects.create(
        lead=lead, from_status=previous, to_status=to, changed_by=by, changed_at=now, reason=reason[:255]
    )
    add_work(getattr(by, "pk", None), lead.pk, now, status_changes=1)
    lead.status = to
    update_fields = ["status"]
    if to == Lead.Status.QUALIFIED and lead.qualified_at is None:
        lead.qualified_at = now
        update_fields.append("qualified_at")
    if to == Lead.Status.UNQUALIFIED:
        lead.unqualified_reason = reason[:255]
        update_fields.append("unqualified_reason")
    save_validated(lead, update_fields=update_fields)
    publish(LeadEvent.STATUS_CHANGED, lead, by=by, data={"from": previous, "to": to})
    return lead


def mark_lead_converted(lead: Lead, *, by: User, account, contact, opportunity) -> Lead:
    """Stamp `lead` converted into `account`, `contact` and `opportunity`, exactly once (caller holds the lead's lock).

    The stamp is a conditional UPDATE (`WHERE status <> 'converted'`), so of two conversions only one stamps.

    Raises:
        LeadAlreadyConverted: another conversion stamped the lead first.
    """
    now = timezone.now()
    stamped = (
        Lead.objects.filter(pk=lead.pk)
        .exclude(status=Lead.Status.CONVERTED)
        .update(
            status=Lead.Status.CONVERTED,
            converted_at=now,
            qualified_at=Coalesce("qualified_at", now),
            converted_account=account,
            converted_contact=contact,
            converted_opportunity=opportunity,
            updated_at=now,
        )
    )
    if stamped != 1:
        raise LeadAlreadyConverted(lead_id=lead.pk)
    LeadStatusChange.objects.create(
        lead=lead, from_status=lead.status, to_status=Lead.Status.CONVERTED, changed_by=by, changed_at=now
    )
    add_work(getattr(by, "pk", None), lead.pk, now, status_changes=1)
    lead.status = Lead.Status.CONVERTED
    lead.converted_at = now
    lead.qualified_at = lead.qualified_at or now
    lead.converted_account, lead.converted_contact, lead.converted_opportunity = account, contact, opportunity
    lead.updated_at = now
    publish(LeadEvent.CONVERTED, lead, by=by)
    return lead


def touch_leads(lead_ids: list[int], *, at) -> None:
    """Record `at` as the leads' latest activity."""
    Lead.objects.filter(pk__in=lead_ids).update(last_activity_at=at)
