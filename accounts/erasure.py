"""Erasing a person from accounts: a person account (B2C) carries the person's name, so it is anonymised too."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from core.text import normalize_company_name

ERASED_NAME = "Erased person"
ERASED_BLANK_FIELDS = [
    "website",
    "domain",
    "phone",
    "billing_street",
    "billing_city",
    "billing_state",
    "billing_postal_code",
    "description",
    "external_id",
]


@transaction.atomic
def erase_person_accounts(account_ids: list[int]) -> int:
    """Anonymise the person accounts among `account_ids` (company accounts are the customer's, not the person's);
    return how many."""
    return Account.objects.filter(pk__in=account_ids, is_person_account=True).update(
        name=ERASED_NAME,
        normalized_name=normalize_company_name(ERASED_NAME),
        updated_at=timezone.now(),
        **dict.fromkeys(ERASED_BLANK_FIELDS, ""),
    )
