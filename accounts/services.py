"""Writes on accounts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError

from accounts.events import AccountEvent
from accounts.models import Account
from activities.services import record_field_changes
from activities.work import forget_work
from core.events import publish
from core.exceptions import Conflict, PermissionDenied
from core.services import apply_changes, fill_empty_fields, save_prechecked, save_validated
from core.text import normalize_company_name, normalize_domain

EDITABLE_FIELDS = [
    "name",
    "website",
    "industry",
    "employees",
    "annual_revenue",
    "phone",
    "billing_street",
    "billing_city",
    "billing_state",
    "billing_postal_code",
    "billing_country",
    "parent",
    "description",
]
# The record's id in another system (the Salesforce-compatible API's External_Id__c): written, not on forms.
WRITABLE_FIELDS = [*EDITABLE_FIELDS, "external_id"]

# Changes written to the account's timeline with who, from what and to what.
AUDITED_FIELDS = ["owner"]


def _normalise(account: Account) -> None:
    account.domain = normalize_domain(account.website) if account.website else account.domain
    account.normalized_name = normalize_company_name(account.name)


# Deeper account trees than this are refused rather than walked.
MAX_PARENT_DEPTH = 50


def _check_parent(account: Account) -> None:
    """Refuse a parent that is the account itself or one of its own children, at any depth."""
    parent_id, depth = account.parent_id, 0
    while parent_id is not None and account.pk is not None:
        depth += 1
        if parent_id == account.pk or depth > MAX_PARENT_DEPTH:
            raise ValidationError({"parent": ["An account cannot sit under itself or one of its own children."]})
        parent_id = Account.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()


@transaction.atomic
def create_account(*, by, owner=None, **fields: Any) -> Account:
    """Create an account owned by `owner` (a rep's own account when not given)."""
    if owner is not None and owner != by and by is not None and not by.can_manage:
        raise PermissionDenied("Only managers and admins may set the owner.", field="owner")
    account = Account(owner=owner or by, **{k: v for k, v in fields.items() if k in WRITABLE_FIELDS})
    _normalise(account)
    save_validated(account)
    publish(AccountEvent.CREATED, account, by=by)
    return account


# No savepoint: these run inside a conversion, which succeeds or rolls back whole.
@transaction.atomic(savepoint=False)
def add_account(account: Account, *, by) -> Account:
    """Save a new account whose owner and parent the caller already checked (a conversion's account)."""
    account.normalized_name = normalize_company_name(account.name)
    save_prechecked(account)
    publish(AccountEvent.CREATED, account, by=by)
    return account


# No savepoint: these run inside a conversion, which succeeds or rolls back whole.
@transaction.atomic(savepoint=False)
def fill_account(account: Account, *, by, values: dict[str, Any]) -> list[str]:
    """Fill the empty fields of a locked `account` from `values`; return the fields filled (merging a lead)."""
    filled = fill_empty_fields(account, values)
    if filled:
        if "name" in filled:
            account.normalized_name = normalize_company_name(account.name)
            filled.append("normalized_name")
        save_prechecked(account, update_fields=filled)
    return filled


@transaction.atomic
def update_account(account: Account, *, by, data: dict[str, Any]) -> Account:
    """Edit an account; only managers and admins may change its owner."""
    account = Account.objects.select_for_update().get(pk=account.pk)
    fields = list(WRITABLE_FIELDS)
    if "owner" in data:
        if data["owner"] != account.owner and not by.can_manage:
            raise PermissionDenied("Only managers and admins may set the owner.", field="owner")
        fields.append("owner")
    changes = apply_changes(account, data, fields=fields)
    if "parent" in changes:
        _check_parent(account)
    if changes:
        _normalise(account)
        save_validated(account, update_fields=[*changes, "domain", "normalized_name"])
        record_field_changes(changes, audited=AUDITED_FIELDS, by=by, account=account)
    return account


@transaction.atomic
def delete_account(account: Account, *, by) -> None:
    """Delete an account that has no contacts or opportunities.

    Raises:
        Conflict: the account still has contacts or opportunities.
    """
    if account.contacts.exists() or account.opportunities.exists():
        raise Conflict("This account still has contacts or opportunities; move or delete them first.")
    forget_work(account=account)
    try:
        account.delete()
    except ProtectedError as exc:
        raise Conflict("This account is still referenced by other records.") from exc
