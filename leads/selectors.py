"""Reads about leads: the rep's filtered list and the duplicates shown on a lead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from contacts.models import Contact
from leads.models import Lead

if TYPE_CHECKING:
    from users.models import User


from datetime import date, datetime, time

from django.utils import timezone

from users.models import User

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
    import_job: int | None = None
    chance: str = ""
    sla: str = ""


# The lead list's "Win chance" filter: bands of the predicted conversion probability, [low, high).
CHANCE_BANDS = {"likely": (0.5, 2.0), "possible": (0.2, 0.5), "unlikely": (0.0, 0.2)}


def sla_condition(value: str, now: datetime | None = None) -> Q | None:
    """The lead list's first-touch filter, on the clock assignment keeps per lead (its reverse relation `sla`).

    "breached": untouched past the target; "at_risk": untouched with less than a quarter of the target's business
    time left (the clock's `at_risk_at` has passed, its `due_at` not yet). Anything else filters nothing.
    """
    now = now or timezone.now()
    if value == "breached":
        return Q(sla__first_touch_at__isnull=True, sla__due_at__lte=now)
    if value == "at_risk":
        return Q(sla__first_touch_at__isnull=True, sla__at_risk_at__lte=now, sla__due_at__gt=now)
    return None


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
        if user.can_manage:
            # A rep's visible leads are theirs already: repeating `owner = me` makes PostgreSQL count the condition
            # twice, estimate one row and sort every open lead of the rep instead of walking an index for a page.
            leads = leads.filter(owner=user)
    elif filters.owner == "unassigned":
        leads = leads.unassigned()
    elif filters.owner.isdigit():
        leads = leads.filter(owner_id=int(filters.owner))
    if filters.created_from:
        leads = leads.filter(created_at__gte=_day_start(filters.created_from))
    if filters.created_to:
        leads = leads.filter(created_at__lt=_day_start(filters.created_to) + timezone.timedelta(days=1))
    if filters.chance in CHANCE_BANDS:
        low, high = CHANCE_BANDS[filters.chance]
        leads = leads.filter(conversion_probability__gte=low, conversion_probability__lt=high)
    elif filters.chance == "none":
        leads = leads.filter(conversion_probability__isnull=True)
    if (condition := sla_condition(filters.sla)) is not None:
        leads = leads.filter(condition)
    if filters.q:
        leads = leads.filter(_search(filters.q))
    if filters.import_job:
        # The leads an import created or updated: its link rows (imports.ImportedLead) name them. Imports sit above
        # leads, so this reads only their reverse relation; the unique (job, lead) index finds a job's rows.
        leads = leads.filter(import_links__job_id=filters.import_job)
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
