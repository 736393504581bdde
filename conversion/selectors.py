"""Conversion candidates: the accounts, contacts and leads a lead may be the same company or person as."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Account
from contacts.models import Contact
from core.text import email_domain, is_free_mail_domain, normalize_company_name, normalize_domain
from leads.models import Lead

if TYPE_CHECKING:
    from users.models import User


from users.models import User

# Matching shows a short list to a human; past this many candidates the lead's company is too generic to match on.
MAX_CANDIDATES = 10


@dataclass(frozen=True)
class Match:
    """A candidate record and why it matched ("domain", "company_name", "email", "name")."""

    record: Account | Contact | Lead
    reason: str


def lead_company_domains(lead: Lead) -> list[str]:
    """Return the company domains of `lead` (website, then email), free-mail domains left out."""
    domains = []
    for domain in (normalize_domain(lead.website), email_domain(lead.email)):
        if domain and not is_free_mail_domain(domain) and domain not in domains:
            domains.append(domain)
    return domains


def list_account_matches(lead: Lead, *, user: User, lock: bool = False) -> list[Match]:
    """List the accounts `user` can see that match `lead` by company domain or normalised name, domain first.

    With `lock` (a conversion), the candidates are read under `select_for_update`, in pk order: the one the
    conversion picks needs no second read to be locked.
    """
    domains = lead_company_domains(lead)
    name = normalize_company_name(lead.company)
    condition = Q(pk__in=[])
    if domains:
        condition |= Q(domain__in=domains)
    if name:
        condition |= Q(normalized_name=name)
    accounts = Account.objects.visible_to(user).filter(condition).select_related("owner").order_by("pk")
    if lock:
        accounts = accounts.select_for_update(of=("self",))
    matches = []
    for account in accounts[: MAX_CANDIDATES + 1]:
        reason = "domain" if account.domain and account.domain in domains else "company_name"
        matches.append(Match(account, reason))
    matches.sort(key=lambda match: match.reason != "domain")
    return matches


def pick_account_match(matches: list[Match]) -> Account | None:
    """Return the one account the matches point at, or None when there is none or the choice is ambiguous.

    A domain match is stronger than a name match: one account on the lead's domain wins even when other
    accounts share the company name; several accounts on the domain (or, without one, several by name)
    are ambiguous and answered with a new account rather than a guess.
    """
    by_domain = [match.record for match in matches if match.reason == "domain"]
    if by_domain:
        return by_domain[0] if len(by_domain) == 1 else None
    by_name = [match.record for match in matches if match.reason == "company_name"]
    return by_name[0] if len(by_name) == 1 else None


def find_person_account_match(lead: Lead, *, user: User) -> Account | None:
    """Return the oldest person account `user` can see whose contact has the lead's email, or None (B2C)."""
    if not lead.email:
        return None
    return (
        Account.objects.visible_to(user)
        .filter(is_person_account=True, contacts__email__iexact=lead.email)
        .order_by("pk")
        .first()
    )


def find_contact_match(lead: Lead, *, account: Account, user: User) -> Contact | None:
    """Return the oldest contact of `account` that `user` can see with the lead's email, or None."""
    if not lead.email or account.pk is None:
        return None
    return (
        Contact.objects.visible_to(user)
        .filter(email__iexact=lead.email)
        .filter(Q(account=account) | Q(account_relations__account=account))
        .order_by("pk")
        .first()
    )


def list_contact_matches(lead: Lead, *, user: User, accounts: list[Account] | None = None) -> list[Match]:
    """List the contacts `user` can see with the lead's email, those of `accounts` first, then by name at `accounts`."""
    condition = Q(pk__in=[])
    if lead.email:
        condition |= Q(email__iexact=lead.email)
    account_ids = [account.pk for account in accounts or []]
    if account_ids and lead.last_name:
        condition |= Q(account_id__in=account_ids, last_name__iexact=lead.last_name, first_name__iexact=lead.first_name)
    contacts = (Contact.objects.visible_to(user).filter(condition).select_related("account", "owner").order_by("pk"))[
        :MAX_CANDIDATES
    ]
    matches = [
        Match(contact, "email" if lead.email and contact.email.lower() == lead.email.lower() else "name")
        for contact in contacts
    ]
    matches.sort(key=lambda match: (match.reason != "email", match.record.account_id not in account_ids))
    return matches


def list_lead_matches(lead: Lead, *, user: User) -> list[Match]:
    """List other leads `user` can see with the same email or the same company, email first."""
    condition = Q(pk__in=[])
    if lead.email:
        condition |= Q(email__iexact=lead.email)
    if lead.company.strip():
        condition |= Q(company__iexact=lead.company.strip())
    leads = (
        Lead.objects.visible_to(user).filter(condition).exclude(pk=lead.pk).select_related("owner").order_by("pk")
    )[:MAX_CANDIDATES]
    matches = [
        Match(other, "email" if lead.email and other.email.lower() == lead.email.lower() else "company_name")
        for other in leads
    ]
    matches.sort(key=lambda match: match.reason != "email")
    return matches
