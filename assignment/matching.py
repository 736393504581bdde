"""Lead-to-account matching: a new lead from an existing customer's company goes to that account's owner.

A **customer** is an account with at least one won opportunity; "customer since" is its first win. A lead matches
the customer whose normalised `domain` is the lead's website or (non-free) email domain, else whose normalised name
is the lead's company; several candidates resolve to the oldest account, domain matches first. No writes here:
routing stamps `Lead.matched_account` and gives the lead to the account's owner when that owner is active and
accepts leads (capacity does not apply: the account relationship comes first).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Min, Q

from accounts.models import Account
from core.text import email_domain, is_free_mail_domain, is_no_company, normalize_company_name, normalize_domain


@dataclass(frozen=True)
class AccountMatch:
    account_id: int
    account_name: str
    owner_id: int | None
    customer_since: datetime | None


def lead_domains(email: str, website: str) -> list[str]:
    """The company domains a lead names: its website's, then its email's unless a free-mail domain."""
    domains = []
    for domain in (normalize_domain(website), email_domain(email)):
        if domain and not is_free_mail_domain(domain) and domain not in domains:
            domains.append(domain)
    return domains


def match_customer_accounts(facts: Iterable) -> dict[int, AccountMatch]:
    """Return the customer account each lead matches, by lead id; one query for any number of leads.

    `facts`: objects with `pk`, `email`, `website` and `company` (routing's lead facts).
    """
    wanted: dict[int, tuple[list[str], str]] = {}
    for lead in facts:
        domains = lead_domains(lead.email, lead.website)
        name = "" if is_no_company(lead.company) else normalize_company_name(lead.company)
        if domains or name:
            wanted[lead.pk] = (domains, name)
    if not wanted:
        return {}
    all_domains = {domain for domains, _name in wanted.values() for domain in domains}
    all_names = {name for _domains, name in wanted.values() if name}
    customers = (
        Account.objects.filter(Q(domain__in=all_domains) | Q(normalized_name__in=all_names))
        .filter(opportunities__stage__is_won=True)
        .values("pk", "name", "domain", "normalized_name", "owner_id")
        .annotate(since=Min("opportunities__closed_at"))
        .order_by("pk")
    )
    by_domain: dict[str, AccountMatch] = {}
    by_name: dict[str, AccountMatch] = {}
    for row in customers:
        match = AccountMatch(row["pk"], row["name"], row["owner_id"], row["since"])
        if row["domain"]:
            by_domain.setdefault(row["domain"], match)
        if row["normalized_name"]:
            by_name.setdefault(row["normalized_name"], match)
    matches = {}
    for lead_id, (domains, name) in wanted.items():
        found = next((by_domain[d] for d in domains if d in by_domain), None) or by_name.get(name)
        if found is not None:
            matches[lead_id] = found
    return matches
