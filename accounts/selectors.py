"""Reads on accounts: look-alikes of an account being typed, and the account picker's matches."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import Account
from core.text import normalize_company_name, normalize_domain

PICKER_LIMIT = 10
DUPLICATE_LIMIT = 5


def list_duplicate_accounts(user, *, name: str = "", domain: str = "", exclude: int | None = None) -> QuerySet:
    """Return the visible accounts with the same normalised name or website domain (at most a handful)."""
    condition = Q()
    normalized_name = normalize_company_name(name)
    if normalized_name:
        condition |= Q(normalized_name=normalized_name)
    host = normalize_domain(domain)
    if host:
        condition |= Q(domain=host)
    if not condition:
        return Account.objects.none()
    accounts = Account.objects.visible_to(user).filter(condition)
    if exclude:
        accounts = accounts.exclude(pk=exclude)
    return accounts.order_by("name", "id")[:DUPLICATE_LIMIT]


def list_account_choices(user, *, q: str = "") -> QuerySet:
    """Return the first visible accounts whose name contains `q`, by name, for the account picker."""
    accounts = Account.objects.visible_to(user)
    if q:
        accounts = accounts.filter(name__icontains=q)
    return accounts.order_by("name", "id")[:PICKER_LIMIT]
