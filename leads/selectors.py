"""Reads about leads that span models: duplicate and conversion candidates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from accounts.models import Account
from contacts.models import Contact
from crm.common.text import email_domain, is_free_mail_domain, normalize_company_name, normalize_domain
from leads.models import Lead

if TYPE_CHECKING:
    from crm.users.models import User


from collections import defaultdict
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from activities.models import Event
from crm.users.models import User
from leads.models import AssignmentRule

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


def list_account_matches(lead: Lead, *, user: User) -> list[Match]:
    """List the accounts `user` can see that match `lead` by company domain or normalised name, domain first."""
    domains = lead_company_domains(lead)
    name = normalize_company_name(lead.company)
    condition = Q(pk__in=[])
    if domains:
        condition |= Q(domain__in=domains)
    if name:
        condition |= Q(normalized_name=name)
    accounts = Account.objects.visible_to(user).filter(condition).select_related("owner").order_by("pk")
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


def list_unassigned_leads(user: User) -> QuerySet[Lead]:
    """Open leads without an owner that `user` may see, oldest first: the managers' "unassigned" view."""
    return Lead.objects.visible_to(user).open().unassigned().order_by("created_at", "id")


def list_assignment_failure_recipients(lead_ids: list[int]) -> list[tuple[User, list[Lead]]]:
    """Pair each manager to tell with the still-unowned leads nobody could take.

    A rule's team manager (its target team's, or its target user's team's) hears about its leads;
    leads of rules targeting all reps, or matching no rule, go to every active manager (admins when
    there is none).
    """
    leads = list(Lead.objects.open().unassigned().filter(pk__in=lead_ids).order_by("pk"))
    if not leads:
        return []
    rule_of = dict(
        Event.objects.filter(kind="assignment_failed", lead_id__in=[lead.pk for lead in leads])
        .order_by("lead_id", "created_at", "id")
        .values_list("lead_id", "data__rule")
    )
    rules = AssignmentRule.objects.select_related("target_team__manager", "target_user__team__manager").in_bulk(
        [pk for pk in rule_of.values() if pk]
    )
    everyone: list[User] | None = None
    by_recipient: dict[int, tuple[User, list[Lead]]] = {}
    grouped: dict[int, list[Lead]] = defaultdict(list)
    for lead in leads:
        rule = rules.get(rule_of.get(lead.pk))
        manager = None
        if rule is not None and rule.target_team_id:
            manager = rule.target_team.manager
        elif rule is not None and rule.target_user_id and rule.target_user.team_id:
            manager = rule.target_user.team.manager
        if manager is not None and manager.is_active and manager.email:
            recipients = [manager]
        else:
            if everyone is None:
                everyone = list(User.objects.filter(is_active=True, role=User.Role.MANAGER).exclude(email=""))
                everyone = everyone or list(
                    User.objects.filter(Q(role=User.Role.ADMIN) | Q(is_superuser=True), is_active=True).exclude(
                        email=""
                    )
                )
            recipients = everyone
        for recipient in recipients:
            by_recipient.setdefault(recipient.pk, (recipient, grouped[recipient.pk]))
            grouped[recipient.pk].append(lead)
    return list(by_recipient.values())


LEAD_SORTS = {"-created_at": "Newest", "-score": "Highest score", "-last_activity_at": "Latest activity"}
DUPLICATE_LIMIT = 10


@dataclass
class LeadFilters:
    status: str = "open"
    source: str = ""
    rating: str = ""
    mql: str = ""
    sql: str = ""
    won: str = ""
    owner: str = "me"
    created_from: date | None = None
    created_to: date | None = None
    q: str = ""


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def list_leads(user: User, filters: LeadFilters):
    """Return the leads `user` may see narrowed by `filters` (unordered: the caller pages it)."""
    leads = Lead.objects.visible_to(user).select_related("owner")
    if filters.status == "open":
        leads = leads.open()
    elif filters.status in Lead.Status.values:
        leads = leads.filter(status=filters.status)
    if filters.source:
        leads = leads.filter(source=filters.source)
    if filters.rating:
        leads = leads.filter(rating=filters.rating)
    if filters.mql == "yes":
        leads = leads.filter(mql_at__isnull=False)
    elif filters.mql == "no":
        leads = leads.filter(mql_at__isnull=True)
    if filters.sql == "yes":
        leads = leads.filter(qualified_at__isnull=False)
    elif filters.sql == "no":
        leads = leads.filter(qualified_at__isnull=True)
    if filters.won == "yes":
        # The funnel's "Won" stage: converted into an opportunity that now sits in a won stage.
        leads = leads.filter(status=Lead.Status.CONVERTED, converted_opportunity__stage__is_won=True)
    if filters.owner == "me":
        leads = leads.filter(owner=user)
    elif filters.owner == "unassigned":
        leads = leads.unassigned()
    elif filters.owner.isdigit():
        leads = leads.filter(owner_id=int(filters.owner))
    if filters.created_from:
        leads = leads.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        leads = leads.filter(created_at__lt=_day_start(filters.created_to) + timezone.timedelta(days=1))
    if filters.q:
        leads = leads.filter(_search(filters.q))
    return leads


def _search(q: str) -> Q:
    """Match the start of a name, company or email: prefix matches walk indexes at a million leads."""
    q = q.strip()
    if "@" in q:
        # Emails are stored normalised, so an exact match walks the email index.
        return Q(email=q.lower())
    words = q.split()
    match = Q(company__istartswith=q)
    if len(words) >= 2:
        return match | Q(first_name__istartswith=words[0], last_name__istartswith=" ".join(words[1:]))
    return match | Q(last_name__istartswith=q) | Q(first_name__istartswith=q) | Q(email__startswith=q.lower())


def list_duplicate_candidates(lead: Lead, user: User) -> dict[str, list]:
    """Return visible leads and contacts that look like `lead`: same email, or same company and last name."""
    # Emails are stored normalised (lower-case), so equality walks the email index; the company and
    # last-name match walks the UPPER(company) index of the lead list's search.
    match = Q(pk__in=[])
    if lead.email:
        match |= Q(email=lead.email)
    if lead.company and lead.last_name:
        match |= Q(company__iexact=lead.company.strip(), last_name__iexact=lead.last_name.strip())
    contact_match = Q(pk__in=[])
    if lead.email:
        contact_match |= Q(email=lead.email)
    if lead.company and lead.last_name:
        contact_match |= Q(account__name__iexact=lead.company.strip(), last_name__iexact=lead.last_name.strip())
    leads = list(
        Lead.objects.visible_to(user).filter(match).exclude(pk=lead.pk).select_related("owner")[:DUPLICATE_LIMIT]
    )
    contacts = list(
        Contact.objects.visible_to(user).filter(contact_match).select_related("account", "owner")[:DUPLICATE_LIMIT]
    )
    return {"leads": leads, "contacts": contacts}
