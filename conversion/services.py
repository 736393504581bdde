"""Lead conversion: a qualified lead becomes an Account, a Contact and, optionally, an Opportunity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import Account
from accounts.services import add_account, fill_account
from activities.services import move_lead_history, record_event
from assignment.handoff import choose_account_executive, is_sdr, territory_account_executives
from contacts.models import Contact
from contacts.services import add_contact, fill_contact
from conversion.selectors import (
    find_contact_match,
    find_person_account_match,
    list_account_matches,
    pick_account_match,
)
from conversion.tasks import notify_conversion_task
from core.events import one_change
from core.exceptions import PermissionDenied
from core.text import email_domain, is_free_mail_domain, is_no_company, normalize_domain
from leads.exceptions import LeadAlreadyConverted, LeadNotConvertible
from leads.models import Lead
from leads.services.capture import mark_lead_converted
from opportunities.models import Opportunity, Stage
from opportunities.services import add_opportunity
from users.models import User

NEW: Literal["new"] = "new"
# A fresh opportunity is expected to close within a sales cycle unless the rep says otherwise.
DEFAULT_CLOSE_IN_DAYS = 30
# The default opportunity name joins account and person with an en dash, as in "Acme \u2013 Jane Doe".
NAME_SEPARATOR = " \u2013 "
OPPORTUNITY_OVERRIDES = {"name", "amount", "close_date", "stage"}


@dataclass(frozen=True)
class Conversion:
    """What a lead became."""

    lead: Lead
    account: Account
    account_created: bool
    contact: Contact
    contact_created: bool
    opportunity: Opportunity | None


def _account_values(lead: Lead) -> dict[str, Any]:
    if is_no_company(lead.company):
        # B2C: a person account, named after the person, never "None" or "" and never matched on a domain.
        return {
            "name": lead.full_name,
            "is_person_account": True,
            "website": lead.website,
            "phone": lead.phone,
            "billing_city": lead.city,
            "billing_country": lead.country,
        }
    website_domain = normalize_domain(lead.website)
    mail_domain = email_domain(lead.email)
    domain = next((d for d in (website_domain, mail_domain) if d and not is_free_mail_domain(d)), "")
    return {
        "name": lead.company.strip(),
        "website": lead.website,
        "domain": domain,
        "industry": lead.industry,
        "employees": lead.employees,
        "annual_revenue": lead.annual_revenue,
        "phone": lead.phone,
        "billing_city": lead.city,
        "billing_country": lead.country,
    }


def _contact_values(lead: Lead) -> dict[str, Any]:
    return {
        "first_name": lead.first_name,
        "last_name": lead.last_name,
        "email": lead.email,
        "phone": lead.phone,
        "title": lead.title,
        "mailing_city": lead.city,
        "mailing_country": lead.country,
        "lead_source": lead.source,
        "do_not_contact": lead.do_not_contact,
    }


def _resolve_owner(lead: Lead, *, by: User, owner: User | None) -> User:
    if owner is not None and owner != by and not by.can_manage:
        raise PermissionDenied("Only managers and admins may choose the owner of the new records.", field="owner")
    return owner or lead.owner or by


def _find_account(
    lead: Lead, *, by: User, account: Account | Literal["new"] | None, contact: Contact | str | None
) -> Account | None:
    """Return the existing account, locked, that the lead converts into, or None for a new one."""
    if isinstance(contact, Contact) and account is None and contact.account_id:
        account = Account(pk=contact.account_id)
    if isinstance(account, Account):
        try:
            return Account.objects.visible_to(by).select_for_update(of=("self",)).get(pk=account.pk)
        except Account.DoesNotExist:
            raise ValidationError({"account": ["Choose an account you can see."]}) from None
    if account is None:
        # A company-less lead with a work address at a known account joins it; otherwise it is a person (B2C).
        match = pick_account_match(list_account_matches(lead, user=by, lock=True))
        if match is not None:
            return match
        if is_no_company(lead.company):
            match = find_person_account_match(lead, user=by)
        if match is not None:
            return Account.objects.select_for_update(of=("self",)).get(pk=match.pk)
    elif account != NEW:
        raise ValidationError({"account": ['Give an account id or "new".']})
    return None


def _sourcing_sdr(lead: Lead, *, by: User) -> User | None:
    """The SDR credited with the deal: the lead's owner when an SDR, else an SDR converting an unowned lead."""
    if is_sdr(lead.owner):
        return lead.owner
    return by if lead.owner is None and is_sdr(by) else None


def _deal_owner(lead: Lead, *, by: User, owner: User | None, new_owner: User, account: Account | None) -> User:
    """Who owns the new records: `new_owner`, unless an SDR's conversion hands them to an AE (assignment.handoff)."""
    if owner is not None or not is_sdr(new_owner):
        return new_owner
    account_owner = User.objects.filter(pk=account.owner_id).first() if account and account.owner_id else None
    territory_aes = territory_account_executives(lead)
    return (
        choose_account_executive(sdr=new_owner, account_owner=account_owner, territory_aes=territory_aes) or new_owner
    )


def _resolve_contact(
    lead: Lead, *, by: User, owner: User, account: Account, account_created: bool, contact: Contact | str | None
) -> tuple[Contact, bool]:
    if isinstance(contact, Contact):
        found = (
            Contact.objects.visible_to(by)
            .select_for_update(of=("self",))
            .filter(pk=contact.pk, account=account)
            .first()
        )
        if found is None and not account_created:
            found = (
                Contact.objects.visible_to(by)
                .select_for_update(of=("self",))
                .filter(pk=contact.pk, account_relations__account=account)
                .first()
            )
        if found is None:
            raise ValidationError({"contact": ["Choose a contact of the chosen account."]})
        return found, False
    if contact is None and not account_created:
        match = find_contact_match(lead, account=account, user=by)
        if match is not None:
            return Contact.objects.select_for_update(of=("self",)).get(pk=match.pk), False
    elif contact is not None and contact != NEW:
        raise ValidationError({"contact": ['Give a contact id or "new".']})
    return add_contact(Contact(owner=owner, account=account, **_contact_values(lead)), by=by), True


def _create_opportunity(
    lead: Lead,
    *,
    by: User,
    owner: User,
    account: Account,
    contact: Contact,
    overrides: dict[str, Any],
    sourced_by: User | None = None,
) -> Opportunity:
    unknown = set(overrides) - OPPORTUNITY_OVERRIDES
    if unknown:
        raise ValidationError({"opportunity": [f"Unknown field(s): {', '.join(sorted(unknown))}."]})
    stage: Stage | None = overrides.get("stage")
    if stage is None:
        stage = Stage.objects.open().order_by("order", "id").first()
        if stage is None:
            raise ValidationError({"opportunity": ["stage: No open stage is configured."]})
    elif stage.is_closed:
        raise ValidationError({"opportunity": ["stage: Choose an open stage for a new opportunity."]})
    default_name = lead.full_name if account.is_person_account else f"{account.name}{NAME_SEPARATOR}{lead.full_name}"
    name = overrides.get("name") or default_name
    # The lead's BANT answers fill what the converting user left out: the budget becomes the amount, the expected
    # purchase date the close date (unless it has passed: then the default sales cycle applies).
    today = timezone.localdate()
    timeline = lead.timeline_date if lead.timeline_date and lead.timeline_date >= today else None
    close_date: date = overrides.get("close_date") or timeline or today + timedelta(days=DEFAULT_CLOSE_IN_DAYS)
    amount: Decimal | None = overrides["amount"] if overrides.get("amount") is not None else lead.budget_amount
    if amount is not None and amount < 0:
        raise ValidationError({"opportunity": ["amount: The amount cannot be negative."]})
    opportunity = Opportunity(
        name=name[:255],
        account=account,
        stage=stage,
        owner=owner,
        amount=amount,
        close_date=close_date,
        probability=stage.probability,
        forecast_category=stage.forecast_category,
        lead_source=lead.source,
        sourced_by=sourced_by,
    )
    try:
        add_opportunity(opportunity, by=by, contact=contact)
    except ValidationError as exc:
        messages = [
            message if field == "__all__" else f"{field}: {message}"
            for field, errors in exc.message_dict.items()
            for message in errors
        ]
        raise ValidationError({"opportunity": messages}) from exc
    return opportunity


@transaction.atomic
@one_change()
def convert_lead(
    lead: Lead,
    *,
    by: User,
    account: Account | Literal["new"] | None = None,
    contact: Contact | Literal["new"] | None = None,
    create_opportunity: bool = True,
    opportunity: dict[str, Any] | None = None,
    owner: User | None = None,
) -> Conversion:
    """Convert `lead` into an account, a contact and optionally an opportunity, exactly once and all or nothing.

    `account` / `contact`: None matches an existing record the actor can see (the single account on the lead's
    company domain, else with its normalised company name; that account's contact with the lead's email) and
    creates one when nothing or several match; "new" always creates; a record uses that one. Merging into an
    existing record fills only its empty fields. The new records belong to `owner` (managers and admins
    only), else the lead's owner, else the actor — unless that is an SDR: then an AE takes the new account,
    contact and opportunity (assignment.handoff) and the SDR stays credited as the opportunity's `sourced_by`.
    A lead without a company (blank or a placeholder such as "n/a") converts into a person account (B2C),
    reusing the person account whose contact has the lead's email.

    Exactly once: the lead row is locked first (lock order Lead → Account → Contact → Opportunity), the
    status is re-checked under the lock, the stamp is a conditional UPDATE (`WHERE status <> 'converted'`)
    and the table's check constraints refuse a converted lead without its account and time. Only
    `converted_opportunity` is unique: several leads of one company legitimately convert into the same
    account, and a returning person into the same contact, so `converted_account` / `converted_contact`
    stay plain foreign keys.

    Raises:
        LeadAlreadyConverted: the lead is converted (also when a concurrent conversion won).
        LeadNotConvertible: the lead is unqualified.
        PermissionDenied: a rep chose another owner.
        ValidationError: a field (`account`, `contact`, `opportunity`) is invalid; nothing is written.
    """
    lead = Lead.objects.select_for_update(of=("self",)).select_related("owner").get(pk=lead.pk)
    if lead.is_converted:
        raise LeadAlreadyConverted(lead_id=lead.pk)
    if lead.status == Lead.Status.UNQUALIFIED:
        raise LeadNotConvertible(lead_id=lead.pk)
    new_owner = _resolve_owner(lead, by=by, owner=owner)
    found_account = _find_account(lead, by=by, account=account, contact=contact)
    sdr = _sourcing_sdr(lead, by=by)
    new_owner = _deal_owner(lead, by=by, owner=owner, new_owner=new_owner, account=found_account)
    account_created = found_account is None
    the_account = found_account or add_account(Account(owner=new_owner, **_account_values(lead)), by=by)
    the_contact, contact_created = _resolve_contact(
        lead, by=by, owner=new_owner, account=the_account, account_created=account_created, contact=contact
    )
    if not account_created:
        values = _account_values(lead)
        values.pop("is_person_account", None)  # merging never turns a company into a person
        fill_account(the_account, by=by, values=values)
    if not contact_created:
        fill_contact(the_contact, by=by, values=_contact_values(lead))
    the_opportunity = None
    if create_opportunity:
        the_opportunity = _create_opportunity(
            lead,
            by=by,
            owner=new_owner,
            account=the_account,
            contact=the_contact,
            overrides=opportunity or {},
            sourced_by=sdr,
        )

    lead = mark_lead_converted(lead, by=by, account=the_account, contact=the_contact, opportunity=the_opportunity)

    # The person's history moves with them; activities already on another contact or account keep it.
    move_lead_history(lead, contact=the_contact, account=the_account)
    summary = f"Lead {lead.full_name} converted into {the_account.name}"
    if the_opportunity is not None:
        summary += f" with opportunity {the_opportunity.name}"
    record_event(
        "converted",
        summary,
        by=by,
        lead=lead,
        account=the_account,
        contact=the_contact,
        opportunity=the_opportunity,
        data={
            "account_created": account_created,
            "contact_created": contact_created,
            "opportunity": the_opportunity.pk if the_opportunity else None,
            "owner": new_owner.pk,
            "sourced_by": sdr.pk if sdr else None,
        },
    )
    notify_conversion_task.delay_on_commit(lead.pk)
    return Conversion(lead, the_account, account_created, the_contact, contact_created, the_opportunity)
