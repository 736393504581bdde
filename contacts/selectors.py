"""Reads on contacts: the contacts of an account, look-alikes of a contact being typed, the contact picker's
matches."""

from __future__ import annotations

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat

from contacts.models import Contact
from core.text import normalize_email

PICKER_LIMIT = 10
DUPLICATE_LIMIT = 5


def account_contacts_filter(account_id: int) -> Q:
    """Contacts of an account: their primary account, or another one through an account relation."""
    return Q(account_id=account_id) | Q(
        pk__in=Contact.other_accounts.through.objects.filter(account_id=account_id).values("contact_id")
    )


def list_duplicate_contacts(user, *, email: str, exclude: int | None = None) -> QuerySet:
    """Return the visible contacts with the same (normalised) email address (at most a handful)."""
    email = normalize_email(email)
    if "@" not in email:
        return Contact.objects.none()
    contacts = Contact.objects.visible_to(user).filter(email=email).select_related("account")
    if exclude:
        contacts = contacts.exclude(pk=exclude)
    return contacts.order_by("last_name", "first_name", "id")[:DUPLICATE_LIMIT]


def list_contact_choices(user, *, q: str = "", account_id: int | None = None) -> QuerySet:
    """Return the first visible contacts whose name contains `q` (of `account_id` when given), for the picker."""
    contacts = Contact.objects.visible_to(user).select_related("account")
    if account_id is not None:
        contacts = contacts.filter(account_contacts_filter(account_id))
    if q:
        full_name = Concat("first_name", Value(" "), "last_name")
        contacts = contacts.alias(full_name=full_name).filter(Q(full_name__icontains=q) | Q(email__icontains=q))
    return contacts.order_by("last_name", "first_name", "id")[:PICKER_LIMIT]
