"""What search looks at for each kind of record: the indexed columns, the fields ranked, the line shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.db.models.functions import Coalesce

from accounts.models import Account
from contacts.models import Contact
from leads.models import Lead
from opportunities.models import Opportunity


def _line(*parts: str) -> str:
    return " · ".join(part for part in parts if part)


@dataclass(frozen=True)
class Target:
    """One searchable model.

    `columns` are concatenated in this order by the model's trigram index (search/migrations/0002); `ranked` are
    the SQL expressions (over the query's tables) an exact or prefix match is judged on, best kind first.
    """

    type: str
    label: str
    model: type[models.Model]
    columns: tuple[str, ...]
    ranked: tuple[str, ...]
    related: tuple[str, ...] = ()
    activity: Any = None  # an expression; None: updated_at

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def url_name(self) -> str:
        return f"{self.model._meta.app_label}:detail"

    def title(self, record: Any) -> str:
        return str(record)

    def subtitle(self, record: Any) -> str:
        return ""


class LeadTarget(Target):
    def subtitle(self, record: Lead) -> str:
        return _line(record.company, record.email, record.get_status_display())


class ContactTarget(Target):
    def subtitle(self, record: Contact) -> str:
        return _line(record.account.name if record.account else "", record.email, record.phone)


class AccountTarget(Target):
    def subtitle(self, record: Account) -> str:
        # A person account (B2C) is also found as its contact; the line says which one this is.
        person = "Person account" if getattr(record, "is_person_account", False) else ""
        return _line(person, record.domain or record.website, record.phone)


class OpportunityTarget(Target):
    def subtitle(self, record: Opportunity) -> str:
        return _line(record.account.name, record.stage.name)


def _full_name(table: str) -> str:
    return f'"{table}"."first_name" || \' \' || "{table}"."last_name"'


def _fields(table: str, *names: str) -> tuple[str, ...]:
    return tuple(f'"{table}"."{name}"' for name in names)


LEADS = LeadTarget(
    type="lead",
    label="Lead",
    model=Lead,
    columns=("first_name", "last_name", "company", "email", "phone", "website"),
    ranked=(
        _full_name("leads_lead"),
        *_fields("leads_lead", "last_name", "first_name", "company", "email", "phone", "website"),
    ),
    activity=Coalesce("last_activity_at", "updated_at"),
)
CONTACTS = ContactTarget(
    type="contact",
    label="Contact",
    model=Contact,
    columns=("first_name", "last_name", "email", "phone"),
    ranked=(_full_name("contacts_contact"), *_fields("contacts_contact", "last_name", "first_name", "email", "phone")),
    related=("account",),
)
ACCOUNTS = AccountTarget(
    type="account",
    label="Account",
    model=Account,
    columns=("name", "domain", "website", "phone"),
    ranked=_fields("accounts_account", "name", "domain", "website", "phone"),
)
OPPORTUNITIES = OpportunityTarget(
    type="opportunity",
    label="Opportunity",
    model=Opportunity,
    columns=("name",),
    # The account is joined by select_related under its table's name.
    ranked=_fields("opportunities_opportunity", "name") + _fields("accounts_account", "name"),
    related=("account", "stage"),
)

TARGETS: dict[str, Target] = {target.type: target for target in (LEADS, CONTACTS, ACCOUNTS, OPPORTUNITIES)}
