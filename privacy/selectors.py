"""Everything held about one person, read for a privacy export (an admin's request)."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any

from django.db.models import Q

from activities.erasure import list_person_timeline
from campaigns.models import CampaignMember
from contacts.models import Contact
from contacts.services import EDITABLE_FIELDS as CONTACT_EDITABLE_FIELDS
from core.suppression import is_suppressed
from core.text import normalize_email
from imports.erasure import list_person_import_rows
from leads.models import Lead
from leads.services.capture import EDITABLE_FIELDS as LEAD_EDITABLE_FIELDS
from nurture.erasure import list_person_email
from opportunities.models import OpportunityContactRole

# Everything a lead or contact row holds about the person: what their services edit, then the stamps.
LEAD_FIELDS = [
    "id",
    *LEAD_EDITABLE_FIELDS,
    "external_id",
    "status",
    "unqualified_reason",
    "score",
    "rating",
    "grade",
    "unsubscribed_at",
    "email_bounced_at",
    "email_bounce_kind",
    "mql_at",
    "qualified_at",
    "converted_at",
    "last_activity_at",
    "conversion_probability",
    "created_at",
    "updated_at",
]
CONTACT_FIELDS = ["id", *CONTACT_EDITABLE_FIELDS, "external_id", "created_at", "updated_at"]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return value.isoformat() if hasattr(value, "isoformat") else value


def _row(instance, fields: list[str]) -> dict[str, Any]:
    """The named fields as plain data; a related record by its id, under the field's name."""
    meta = instance._meta
    return {name: _plain(getattr(instance, meta.get_field(name).attname)) for name in fields}


@dataclasses.dataclass
class PersonRecords:
    """The ids of what holds one person, read before any of it changes."""

    lead_ids: list[int]
    contact_ids: list[int]
    account_ids: list[int]
    opportunity_ids: list[int]
    names: list[str]


def get_person_ids(email: str, *, user) -> tuple[list[int], list[int]]:
    """Return the ids of the leads and contacts `user` can see whose email is `email` (compared normalised)."""
    email = normalize_email(email)
    lead_ids = list(
        Lead.objects.visible_to(user).filter(email__iexact=email).order_by("pk").values_list("pk", flat=True)
    )
    contact_ids = list(
        Contact.objects.visible_to(user).filter(email__iexact=email).order_by("pk").values_list("pk", flat=True)
    )
    return lead_ids, contact_ids


def get_person_records(email: str, *, user) -> PersonRecords:
    """Return the person's leads and contacts, the accounts and deals they became or joined, and their names."""
    lead_ids, contact_ids = get_person_ids(email, user=user)
    leads = list(
        Lead.objects.filter(pk__in=lead_ids).only(
            "first_name", "last_name", "converted_account_id", "converted_opportunity_id"
        )
    )
    contacts = list(Contact.objects.filter(pk__in=contact_ids).only("first_name", "last_name", "account_id"))
    roles = OpportunityContactRole.objects.filter(contact_id__in=contact_ids).values_list("opportunity_id", flat=True)
    accounts = {lead.converted_account_id for lead in leads} | {contact.account_id for contact in contacts}
    deals = {lead.converted_opportunity_id for lead in leads} | set(roles)
    return PersonRecords(
        lead_ids=lead_ids,
        contact_ids=contact_ids,
        account_ids=sorted(pk for pk in accounts if pk),
        opportunity_ids=sorted(pk for pk in deals if pk),
        names=sorted({record.full_name for record in [*leads, *contacts]}),
    )


def get_person_data(email: str, *, user) -> dict[str, Any] | None:
    """Return everything held about the person with `email` as plain data, or None when nothing is held."""
    email = normalize_email(email)
    lead_ids, contact_ids = get_person_ids(email, user=user)
    timeline = list_person_timeline(email, lead_ids=lead_ids, contact_ids=contact_ids)
    mail = list_person_email(email, lead_ids=lead_ids, contact_ids=contact_ids)
    imports = list_person_import_rows(email, lead_ids=lead_ids)
    if not (lead_ids or contact_ids or any(timeline.values()) or any(mail.values()) or any(imports.values())):
        return None
    members = (
        CampaignMember.objects.filter(Q(lead_id__in=lead_ids) | Q(contact_id__in=contact_ids))
        .select_related("campaign")
        .order_by("created_at", "id")
    )
    memberships = [
        {
            "campaign": member.campaign_id,
            "campaign_name": member.campaign.name,
            "status": member.status,
            "lead": member.lead_id,
            "contact": member.contact_id,
            "joined_at": member.created_at.isoformat(),
        }
        for member in members
    ]
    return {
        "email": email,
        "suppressed": is_suppressed(email),
        "leads": [_row(lead, LEAD_FIELDS) for lead in Lead.objects.filter(pk__in=lead_ids).order_by("pk")],
        "contacts": [_row(c, CONTACT_FIELDS) for c in Contact.objects.filter(pk__in=contact_ids).order_by("pk")],
        "campaign_memberships": memberships,
        **timeline,
        **mail,
        **imports,
    }
