"""Demo accounts with one to three contacts each, every contact related to its account."""

from __future__ import annotations

from typing import TYPE_CHECKING

from accounts.models import Account
from contacts.models import AccountContactRelation, Contact
from core.text import normalize_company_name
from demo.seeding.pools import Country, domain_for
from demo.seeding.writer import CHUNK_SIZE, DAY, Table, flush

if TYPE_CHECKING:
    from demo.seeding.context import SeedContext

CONTACT_ROLES = ["Decision Maker", "Economic Buyer", "Technical Evaluator", "Champion", "Influencer", "End User"]
ACCOUNT_FIELDS = [
    "id", "name", "website", "domain", "industry", "employees", "annual_revenue", "phone", "billing_street",
    "billing_city", "billing_state", "billing_postal_code", "billing_country", "parent", "description",
    "normalized_name", "owner", "created_at", "updated_at",
]  # fmt: skip
CONTACT_FIELDS = [
    "id", "first_name", "last_name", "email", "phone", "title", "department", "mailing_street", "mailing_city",
    "mailing_state", "mailing_postal_code", "mailing_country", "account", "lead_source", "do_not_contact",
    "description", "owner", "created_at", "updated_at",
]  # fmt: skip
RELATION_FIELDS = ["id", "account", "contact", "role", "is_primary", "created_at"]


def seed_accounts(ctx: SeedContext) -> int:
    """Write the accounts, their contacts and relations; keep both on `ctx` for deals and conversions."""
    rng = ctx.random
    r = rng.random
    ts = ctx.clock.ts
    now = ctx.now
    n_accounts = max(10, ctx.n_leads // 20)
    account_table = Table(Account, ACCOUNT_FIELDS)
    contact_table = Table(Contact, CONTACT_FIELDS)
    relation_table = Table(AccountContactRelation, RELATION_FIELDS)
    account_id = account_table.next_id()
    contact_id = contact_table.next_id()
    relation_id = relation_table.next_id()
    # kept for opportunities and lead conversion (the tuples are described on SeedContext)
    ctx.accounts = []
    ctx.account_contacts = []
    used_names: set[str] = set()
    accounts, contacts, relations = [], [], []
    for index in range(n_accounts):
        country = ctx.countries[ctx.country_table[int(r() * len(ctx.country_table))]]
        name, domain = country.companies[int(r() * len(country.companies))]
        city = country.cities[int(r() * len(country.cities))]
        if name in used_names:
            name = f"{name} {city}"
            domain = domain_for(name)
        if name in used_names:
            name = f"{name} {index}"
            domain = domain_for(name)
        used_names.add(name)
        website = f"https://www.{domain}"
        industry = ctx.industry_table[int(r() * len(ctx.industry_table))]
        employees, revenue = _employees(ctx)
        owner = _rep(ctx)
        created = now - DAY - int(r() * 540 * DAY)
        street = f"{1 + int(r() * 400)} {country.streets[int(r() * len(country.streets))]}"
        postal = f"{10000 + int(r() * 89999)}"
        phone = _phone(ctx, country)
        accounts.append(
            (
                account_id, name, website, domain, industry, employees, revenue, phone, street, city, "",
                postal, country.name, None, "", normalize_company_name(name), owner, ts(created), ts(created),
            )
        )  # fmt: skip
        ctx.accounts.append(
            (account_id, name, website, industry, employees, revenue, country.name, city, owner, created)
        )
        people = []
        for _ in range(1 + int(r() * 3)):
            first, first_slug = country.first_names[int(r() * len(country.first_names))]
            last, last_slug = country.last_names[int(r() * len(country.last_names))]
            title, department = ctx.title_table[int(r() * len(ctx.title_table))]
            email = f"{first_slug}.{last_slug}@{domain}"
            contact_phone = _phone(ctx, country)
            contact_created = min(now, created + int(r() * 30 * DAY))
            source = ctx.source_table[int(r() * len(ctx.source_table))]
            contacts.append(
                (
                    contact_id, first, last, email, contact_phone, title, department, street, city, "", postal,
                    country.name, account_id, source, False, "", owner, ts(contact_created), ts(contact_created),
                )
            )  # fmt: skip
            role = CONTACT_ROLES[int(r() * len(CONTACT_ROLES))]
            relations.append((relation_id, account_id, contact_id, role, True, ts(contact_created)))
            people.append((contact_id, first, last, email, title, contact_phone))
            contact_id += 1
            relation_id += 1
        ctx.account_contacts.append(people)
        account_id += 1
        if len(contacts) >= CHUNK_SIZE:
            flush((account_table, accounts), (contact_table, contacts), (relation_table, relations))
    flush((account_table, accounts), (contact_table, contacts), (relation_table, relations))
    for table in (account_table, contact_table, relation_table):
        table.reset_sequence()
    ctx.counts.update(accounts=account_table.rows, contacts=contact_table.rows)
    return account_table.rows + contact_table.rows + relation_table.rows


def _employees(ctx: SeedContext) -> tuple[int, str]:
    r = ctx.random.random
    low, high = ctx.band_table[int(r() * len(ctx.band_table))]
    employees = low + int(r() * (high - low + 1))
    revenue = employees * (60 + int(r() * 190)) * 1000
    return employees, f"{revenue}.00"


def _phone(ctx: SeedContext, country: Country) -> str:
    r = ctx.random.random
    return f"{country.phone} {100 + int(r() * 900)} {1000000 + int(r() * 9000000)}"


def _rep(ctx: SeedContext) -> int:
    return ctx.rep_ids[int(ctx.random.random() * len(ctx.rep_ids))]
