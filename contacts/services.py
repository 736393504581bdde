"""Writes on contacts."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from accounts.models import Account
from activities.services import record_field_changes
from activities.work import forget_work
from contacts.events import ContactEvent
from contacts.models import AccountContactRelation, Contact
from core.events import publish
from core.exceptions import Conflict, PermissionDenied
from core.services import apply_changes, fill_empty_fields, save_prechecked, save_validated
from core.suppression import check_not_suppressed
from core.text import normalize_email

# Changes written to the contact's timeline with who, from what and to what.
AUDITED_FIELDS = ["owner", "account"]
EDITABLE_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "department",
    "mailing_street",
    "mailing_city",
    "mailing_state",
    "mailing_postal_code",
    "mailing_country",
    "account",
    "lead_source",
    "do_not_contact",
    "description",
]
# The record's id in another system (the Salesforce-compatible API's External_Id__c): written, not on forms.
WRITABLE_FIELDS = [*EDITABLE_FIELDS, "external_id"]


def _check_person_account(contact: Contact) -> None:
    """A person account (B2C) has exactly one contact, the person: refuse a second one."""
    if (
        contact.account_id
        and Account.objects.filter(pk=contact.account_id, is_person_account=True).exists()
        and Contact.objects.filter(account_id=contact.account_id).exclude(pk=contact.pk).exists()
    ):
        raise ValidationError({"account": ["This account is a person: it has exactly one contact."]})


@transaction.atomic
def create_contact(*, by, owner=None, **fields: Any) -> Contact:
    """Create a contact; its primary account is also recorded as an account relation."""
    if owner is not None and owner != by and by is not None and not by.can_manage:
        raise PermissionDenied("Only managers and admins may set the owner.", field="owner")
    contact = Contact(owner=owner or by, **{k: v for k, v in fields.items() if k in WRITABLE_FIELDS})
    contact.email = normalize_email(contact.email)
    check_not_suppressed(contact.email, what="contact")
    _check_person_account(contact)
    save_validated(contact)
    if contact.account_id:
        AccountContactRelation.objects.get_or_create(
            account_id=contact.account_id, contact=contact, defaults={"is_primary": True}
        )
    publish(ContactEvent.CREATED, contact, by=by)
    return contact


# No savepoint: these run inside a conversion, which succeeds or rolls back whole.
@transaction.atomic(savepoint=False)
def add_contact(contact: Contact, *, by) -> Contact:
    """Save a new contact whose account and owner the caller already checked, as primary contact of its account."""
    save_prechecked(contact)
    AccountContactRelation.objects.create(account_id=contact.account_id, contact=contact, is_primary=True)
    publish(ContactEvent.CREATED, contact, by=by)
    return contact


# No savepoint: these run inside a conversion, which succeeds or rolls back whole.
@transaction.atomic(savepoint=False)
def fill_contact(contact: Contact, *, by, values: dict[str, Any]) -> list[str]:
    """Fill the empty fields of a locked `contact` from `values`; return the fields filled (merging a lead)."""
    filled = fill_empty_fields(contact, values)
    if filled:
        save_prechecked(contact, update_fields=filled)
    return filled


@transaction.atomic
def update_contact(contact: Contact, *, by, data: dict[str, Any]) -> Contact:
    """Edit a contact; only managers and admins may change its owner."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    data = dict(data)
    if "email" in data:
        data["email"] = normalize_email(data["email"])
    fields = list(WRITABLE_FIELDS)
    if "owner" in data:
        if data["owner"] != contact.owner and not by.can_manage:
            raise PermissionDenied("Only managers and admins may set the owner.", field="owner")
        fields.append("owner")
    changes = apply_changes(contact, data, fields=fields)
    if "email" in changes:
        check_not_suppressed(contact.email, what="contact")
    if "account" in changes:
        _check_person_account(contact)
    if changes:
        save_validated(contact, update_fields=list(changes))
        record_field_changes(changes, audited=AUDITED_FIELDS, by=by, contact=contact)
        if "account" in changes and contact.account_id:
            AccountContactRelation.objects.filter(contact=contact, is_primary=True).update(is_primary=False)
            AccountContactRelation.objects.update_or_create(
                account_id=contact.account_id, contact=contact, defaults={"is_primary": True}
            )
    return contact


@transaction.atomic
def delete_contact(contact: Contact, *, by) -> None:
    """Delete a contact that no converted lead or deal refers to.

    Raises:
        Conflict: a converted lead or an opportunity still refers to the contact.
    """
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    forget_work(contact=contact)  # their timeline goes with it (rolled back on a refusal)
    try:
        with transaction.atomic():
            contact.delete()
    except ProtectedError as exc:
        raise Conflict("This contact is still referenced by a converted lead; it cannot be deleted.") from exc


ERASED_FIRST_NAME, ERASED_LAST_NAME = "Erased", "person"
# What names, describes or reaches the person; the account, owner, source and deals stay (they are the company's).
ERASED_BLANK_FIELDS = [
    "email",
    "phone",
    "title",
    "department",
    "mailing_street",
    "mailing_city",
    "mailing_state",
    "mailing_postal_code",
    "mailing_country",
    "description",
    "external_id",
]


@transaction.atomic
def erase_person_contacts(email: str, *, by) -> int:
    """Anonymise the contacts with `email` (a privacy request): "Erased person", nothing that reaches them.

    Contacts are kept, not deleted, so the accounts, opportunities and contact roles they belong to stay true.
    Returns how many were anonymised.
    """
    ids = list(
        Contact.objects.select_for_update().filter(email__iexact=normalize_email(email)).values_list("pk", flat=True)
    )
    if ids:
        Contact.objects.filter(pk__in=ids).update(
            first_name=ERASED_FIRST_NAME,
            last_name=ERASED_LAST_NAME,
            do_not_contact=True,
            updated_at=timezone.now(),
            **dict.fromkeys(ERASED_BLANK_FIELDS, ""),
        )
    return len(ids)
