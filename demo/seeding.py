"""Seed a realistic, deterministic demo data set, fast enough for a million leads.

Decisions worth knowing:

- Every value comes from one ``random.Random(seed)`` combined with small pools of
  Faker values generated once per locale; Faker is never called per row.
- Emails and websites use the reserved ``.example`` top-level domain, so a demo
  installation can never nurture a real mailbox.
- Rows are written with raw SQL and explicit ids (``max(id) + 1`` onwards):
  ``COPY … FROM STDIN`` on PostgreSQL, ``executemany`` elsewhere. The ORM's
  ``bulk_create`` would overwrite the historical ``created_at``/``updated_at``
  (``auto_now``) and is several times slower.
- Timestamps are whole seconds in UTC, all before the moment the run started.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import re
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from random import Random
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import ForeignObjectRel, ProtectedError, RestrictedError
from django.utils import timezone
from faker import Faker

from accounts.models import Account
from activities.models import Activity, Event
from contacts.models import AccountContactRelation, Contact
from crm.common.text import normalize_company_name
from crm.users.models import Team, User
from leads.models import Lead, LeadStatusChange
from opportunities.models import Opportunity, OpportunityContactRole, OpportunityStageChange, Stage

DEMO_PASSWORD = "funnel-demo"  # noqa: S105 - the documented demo password
DEFAULT_LEADS = 2000
DEFAULT_SEED = 42
# 50,000 rows per COPY keeps each buffer around 10 MB while the per-statement overhead stays negligible.
CHUNK_SIZE = 50_000
DAY = 86_400
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

Output = Callable[[str], None]


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str
    team: str | None = None


DEMO_TEAMS = {"East": "manager", "West": "manager2"}
DEMO_USERS = [
    DemoUser("admin", "Avery Admin", User.Role.ADMIN),
    DemoUser("manager", "Morgan Reyes", User.Role.MANAGER, "East"),
    DemoUser("manager2", "Jordan Blake", User.Role.MANAGER, "West"),
    DemoUser("rep1", "Sam Carter", User.Role.REP, "East"),
    DemoUser("rep2", "Priya Shah", User.Role.REP, "East"),
    DemoUser("rep3", "Liam O'Connor", User.Role.REP, "East"),
    DemoUser("rep4", "Mia Schulz", User.Role.REP, "East"),
    DemoUser("rep5", "Noah Kim", User.Role.REP, "West"),
    DemoUser("rep6", "Emma Rossi", User.Role.REP, "West"),
    DemoUser("rep7", "Lucas Martin", User.Role.REP, "West"),
    DemoUser("rep8", "Sofia López", User.Role.REP, "West"),
]
DEMO_USERNAMES = [user.username for user in DEMO_USERS]

# name, Faker locale, weight, phone prefix, legal suffix, real cities
COUNTRIES = [
    (
        "United States",
        "en_US",
        30,
        "+1",
        "Inc",
        ["New York", "San Francisco", "Austin", "Chicago", "Boston", "Seattle"],
    ),
    ("United Kingdom", "en_GB", 12, "+44", "Ltd", ["London", "Manchester", "Edinburgh", "Bristol", "Leeds"]),
    ("Germany", "de_DE", 10, "+49", "GmbH", ["Berlin", "Munich", "Hamburg", "Frankfurt", "Cologne"]),
    ("France", "fr_FR", 8, "+33", "SAS", ["Paris", "Lyon", "Marseille", "Toulouse", "Lille"]),
    ("Canada", "en_CA", 6, "+1", "Inc", ["Toronto", "Vancouver", "Montreal", "Calgary"]),
    ("India", "en_IN", 6, "+91", "Pvt Ltd", ["Bengaluru", "Mumbai", "Delhi", "Pune", "Hyderabad"]),
    ("Australia", "en_AU", 5, "+61", "Pty Ltd", ["Sydney", "Melbourne", "Brisbane", "Perth"]),
    ("Netherlands", "nl_NL", 5, "+31", "B.V.", ["Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"]),
    ("Spain", "es_ES", 5, "+34", "S.L.", ["Madrid", "Barcelona", "Valencia", "Seville"]),
    ("Brazil", "pt_BR", 4, "+55", "Ltda", ["São Paulo", "Rio de Janeiro", "Belo Horizonte", "Curitiba"]),
    ("Italy", "it_IT", 4, "+39", "S.r.l.", ["Milan", "Rome", "Turin", "Bologna"]),
    ("Sweden", "sv_SE", 3, "+46", "AB", ["Stockholm", "Gothenburg", "Malmö"]),
]
FAKER_PROVIDERS = ["faker.providers.person", "faker.providers.company", "faker.providers.address"]
COMPANY_WORDS = [
    "Systems", "Logistics", "Analytics", "Health", "Energy", "Foods", "Software", "Consulting",
    "Manufacturing", "Capital", "Media", "Labs", "Robotics", "Retail", "Networks", "Solutions",
    "Partners", "Industries", "Biotech", "Security", "Cloud", "Devices", "Freight", "Learning",
]  # fmt: skip
INDUSTRIES = [
    ("Software", 14), ("Financial Services", 9), ("Healthcare", 8), ("Manufacturing", 9), ("Retail", 7),
    ("Education", 5), ("Logistics", 5), ("Telecommunications", 4), ("Energy", 4), ("Media", 4),
    ("Real Estate", 3), ("Professional Services", 7), ("Hospitality", 3), ("Government", 2),
    ("Non-profit", 2), ("Construction", 3), ("Automotive", 3), ("Pharmaceuticals", 3),
]  # fmt: skip
TITLES = [
    ("CEO", 4, "Executive"), ("Founder", 3, "Executive"), ("CTO", 4, "Engineering"), ("CFO", 2, "Finance"),
    ("COO", 2, "Operations"), ("VP of Sales", 5, "Sales"), ("VP of Marketing", 5, "Marketing"),
    ("Chief Revenue Officer", 2, "Sales"), ("Head of Operations", 4, "Operations"), ("Head of IT", 5, "IT"),
    ("IT Manager", 7, "IT"), ("Marketing Manager", 8, "Marketing"), ("Sales Director", 5, "Sales"),
    ("Procurement Manager", 4, "Procurement"), ("Operations Manager", 6, "Operations"),
    ("Product Manager", 5, "Product"), ("Director of Engineering", 3, "Engineering"),
    ("Software Engineer", 4, "Engineering"), ("Data Analyst", 3, "Finance"), ("Finance Manager", 3, "Finance"),
    ("HR Director", 2, "Human Resources"), ("Office Manager", 3, "Operations"),
    ("Business Analyst", 3, "Operations"), ("Customer Success Manager", 3, "Customer Success"),
]  # fmt: skip
EMPLOYEE_BANDS = [
    ((1, 10), 14),
    ((11, 50), 24),
    ((51, 200), 25),
    ((201, 1000), 20),
    ((1001, 5000), 11),
    ((5001, 50000), 6),
]
SOURCE_WEIGHTS = {
    "web": 14, "web_form": 15, "referral": 8, "trade_show": 6, "webinar": 8, "email_campaign": 10,
    "advertising": 8, "social": 7, "partner": 5, "cold_call": 6, "import": 7, "api": 4, "other": 2,
}  # fmt: skip
STATUS_WEIGHTS = {"new": 25, "working": 22, "nurturing": 18, "qualified": 8, "unqualified": 20, "converted": 7}
# status -> inclusive score range: qualified and converted leads were MQLs first
SCORE_RANGES = {
    "new": (0, 65), "working": (15, 85), "nurturing": (5, 60),
    "qualified": (50, 100), "unqualified": (0, 45), "converted": (55, 100),
}  # fmt: skip
UNQUALIFIED_REASONS = [
    "No budget this year", "Student / researcher", "Competitor", "No decision power", "Too small",
    "Bought a competitor", "Duplicate", "Not reachable", "Wrong region",
]  # fmt: skip
LOST_REASONS = ["Price", "Chose a competitor", "No decision", "Timing", "Missing feature", "Budget cut"]
NEXT_STEPS = [
    "Send proposal", "Schedule demo", "Security review", "Call the economic buyer", "Legal review of the MSA",
    "Pricing call", "Pilot kick-off", "Reference call",
]  # fmt: skip
PRODUCTS = [
    "Platform licence", "Annual subscription", "Enterprise upgrade", "Onboarding services", "Analytics add-on",
    "Pilot", "Expansion", "Renewal", "Support plan", "Team plan",
]  # fmt: skip
CONTACT_ROLES = ["Decision Maker", "Economic Buyer", "Technical Evaluator", "Champion", "Influencer", "End User"]
ACTIVITY_KINDS = [("call", 30), ("email", 25), ("note", 15), ("meeting", 12), ("task", 18)]
ACTIVITY_SUBJECTS = {
    "call": ["Discovery call with {first}", "Left a voicemail", "Follow-up call", "Qualification call"],
    "email": ["Sent pricing overview", "Intro email to {first}", "Shared the case study", "Replied to {first}"],
    "note": ["Notes from the {company} chat", "Budget confirmed for Q3", "Uses a competitor today"],
    "meeting": ["Demo for {company}", "On-site visit at {company}", "Technical deep dive"],
    "task": ["Follow up with {first} {last}", "Send proposal to {company}", "Book a demo with {first}"],
}
ACTIVITY_BODIES = [
    "",
    "Interested in the reporting features; wants a trial for the team.",
    "Asked for pricing for about 25 seats.",
    "Evaluating two other vendors; decision expected next quarter.",
    "Needs SSO and an EU data residency answer.",
    "Good fit. Follow up after their board meeting.",
    "Gatekeeper only; find the head of operations.",
]
# plausible status walks from "new" to each current status
STATUS_PATHS = {
    "new": [["new"]],
    "working": [["new", "working"]],
    "nurturing": [["new", "nurturing"], ["new", "working", "nurturing"]],
    "qualified": [["new", "working", "qualified"]],
    "unqualified": [["new", "unqualified"], ["new", "working", "unqualified"]],
    "converted": [["new", "working", "qualified", "converted"]],
}

LEAD_FIELDS = [
    "id", "first_name", "last_name", "email", "phone", "company", "title", "website", "industry", "employees",
    "annual_revenue", "country", "city", "source", "status", "unqualified_reason", "score", "rating", "scored_at",
    "do_not_contact", "unsubscribed_at", "description", "mql_at", "qualified_at", "converted_at",
    "converted_account", "converted_contact", "converted_opportunity", "last_activity_at", "owner",
    "created_at", "updated_at",
]  # fmt: skip
STATUS_CHANGE_FIELDS = ["id", "lead", "from_status", "to_status", "changed_by", "changed_at", "reason"]
ACTIVITY_FIELDS = [
    "id", "lead", "contact", "account", "opportunity", "kind", "subject", "body", "due_at", "completed_at",
    "owner", "created_at", "updated_at",
]  # fmt: skip
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
OPPORTUNITY_FIELDS = [
    "id", "name", "account", "amount", "close_date", "stage", "probability", "forecast_category", "lead_source",
    "next_step", "lost_reason", "closed_at", "description", "owner", "created_at", "updated_at",
]  # fmt: skip
CONTACT_ROLE_FIELDS = ["id", "opportunity", "contact", "role", "is_primary"]
STAGE_CHANGE_FIELDS = ["id", "opportunity", "from_stage", "to_stage", "amount", "changed_by", "changed_at"]

# children before parents: the order in which --reset empties the business tables
RESET_ORDER = [
    Activity,
    Event,
    LeadStatusChange,
    Lead,
    OpportunityContactRole,
    OpportunityStageChange,
    Opportunity,
    AccountContactRelation,
    Contact,
    Account,
]


@dataclass(frozen=True)
class SeedResult:
    created: bool
    counts: dict[str, int]
    seconds: float


def seed_demo(
    *, leads: int = DEFAULT_LEADS, seed: int = DEFAULT_SEED, reset: bool = False, out: Output = print
) -> SeedResult:
    """Create the demo users, teams, accounts, contacts, opportunities, leads and activities.

    Does nothing when demo data is already there (user ``manager`` and some
    leads) unless `reset`, which first deletes every lead, activity, event,
    opportunity, contact and account, and the demo users and teams.
    """
    started = time.monotonic()
    if reset:
        _timed(out, "reset", lambda: _reset())
    elif User.objects.filter(username="manager").exists() and Lead.objects.exists():
        out(f"Demo data already present ({Lead.objects.count():,} leads); nothing to do. Use --reset to recreate it.")
        return SeedResult(created=False, counts={}, seconds=time.monotonic() - started)
    counts = _Seeder(leads=leads, seed=seed, out=out).run()
    return SeedResult(created=True, counts=counts, seconds=time.monotonic() - started)


def _timed(out: Output, name: str, work: Callable[[], Any]) -> Any:
    started = time.monotonic()
    result = work()
    rows = result if isinstance(result, int) else None
    label = f"{rows:>12,} rows" if rows is not None else " " * 17
    out(f"  {name:<22}{label} {time.monotonic() - started:8.1f} s")
    return result


@transaction.atomic
def _reset() -> int:
    """Delete all business records and the demo users and teams; return how many rows went."""
    wiped = set(RESET_ORDER)
    deleted = sum(_clear_dependents(model, wiped) for model in RESET_ORDER)
    qn = connection.ops.quote_name
    tables = _truncatable_tables(wiped)
    with connection.cursor() as cursor:
        if tables:
            # TRUNCATE skips the per-row foreign-key checks that make DELETE of a million leads take minutes
            for table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")  # noqa: S608 - table names from model metadata, quoted  # nosec B608
                deleted += cursor.fetchone()[0]
            # run the deferred foreign-key checks of this transaction first: TRUNCATE refuses pending ones
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(qn(table) for table in tables)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for model in RESET_ORDER:
                cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")  # noqa: S608 - table names from model metadata, quoted  # nosec B608
                deleted += max(cursor.rowcount, 0)
    Team.objects.filter(name__in=DEMO_TEAMS).delete()
    for username in DEMO_USERNAMES:
        # a user still referenced outside the demo tables stays; the seeding overwrites it in place
        with contextlib.suppress(ProtectedError, RestrictedError):
            deleted += User.objects.filter(username=username).delete()[0]
    return deleted


def _truncatable_tables(wiped: set[type[models.Model]]) -> list[str] | None:
    """Tables to TRUNCATE together on PostgreSQL: the wiped ones plus every (empty) table referencing them.

    None when not on PostgreSQL or when a referencing table outside the demo set still holds rows.
    """
    if connection.vendor != "postgresql":
        return None
    found = set(wiped)
    pending = list(wiped)
    while pending:
        for relation in pending.pop()._meta.get_fields(include_hidden=True):
            related = relation.related_model if isinstance(relation, ForeignObjectRel) else None
            if related is None or related in found:
                continue
            if related._base_manager.exists():
                return None
            found.add(related)
            pending.append(related)
    return sorted(model._meta.db_table for model in found)


def _clear_dependents(model: type[models.Model], wiped: set[type[models.Model]]) -> int:
    """Remove or detach rows of other apps' models that point at `model` (e.g. nurture enrollments)."""
    cleared = 0
    for relation in model._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or relation.many_to_many:
            continue
        related = relation.related_model
        if related in wiped:
            continue
        field = relation.field
        referencing = related._base_manager.filter(**{f"{field.name}__isnull": False})
        if field.remote_field.on_delete is models.SET_NULL or (
            field.null and field.remote_field.on_delete is not models.CASCADE
        ):
            cleared += referencing.update(**{field.name: None})
        else:
            cleared += referencing.delete()[0]
    return cleared


def _fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: for email local parts and domains."""
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]+", "", "".join(ch for ch in text if not unicodedata.combining(ch)).lower())


def _domain_for(company: str) -> str:
    words = normalize_company_name(company).split()
    slug = "-".join(_fold(word) for word in words if _fold(word))[:50].strip("-")
    return f"{slug or 'company'}.example"


def _weighted(pairs: Sequence[tuple[Any, int]]) -> list[Any]:
    """Expand (value, weight) pairs into a lookup list: `table[int(random() * len(table))]` picks fast."""
    return [value for value, weight in pairs for _ in range(weight)]


class _Clock:
    """Format epoch seconds as the text each backend stores, faster than datetime.isoformat()."""

    def __init__(self, now: int) -> None:
        self.now = now
        self._suffix = "+00" if connection.vendor == "postgresql" else ""
        self._days: dict[int, str] = {}
        self._times = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]

    def day(self, seconds: int) -> str:
        day = seconds // DAY
        text = self._days.get(day)
        if text is None:
            text = self._days[day] = date.fromordinal(_EPOCH_ORDINAL + day).isoformat()
        return text

    def ts(self, seconds: int | None) -> str | None:
        if seconds is None:
            return None
        return f"{self.day(seconds)} {self._times[seconds % DAY]}{self._suffix}"


class _Table:
    """Raw inserts into one model's table with explicit ids: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, model: type[models.Model], fields: list[str]) -> None:
        meta = model._meta
        self.table = meta.db_table
        self.pk_column = meta.pk.column
        qn = connection.ops.quote_name
        columns = [meta.get_field(name).column for name in fields]
        # fields added later by other apps' migrations get their default, so the seeder keeps working
        missing = [f for f in meta.concrete_fields if f.name not in fields]
        self.tail = tuple(_default_db_value(f) for f in missing)
        columns += [f.column for f in missing]
        column_list = ", ".join(qn(column) for column in columns)
        # the csv module quotes None as "" under QUOTE_NONNUMERIC: FORCE_NULL reads it back as NULL
        nullable = [qn(f.column) for f in meta.concrete_fields if f.null and f.column in columns]
        force_null = f", FORCE_NULL ({', '.join(nullable)})" if nullable else ""
        self.copy_sql = f"COPY {qn(self.table)} ({column_list}) FROM STDIN WITH (FORMAT csv{force_null})"
        placeholders = ", ".join(["%s"] * len(columns))
        self.insert_sql = f"INSERT INTO {qn(self.table)} ({column_list}) VALUES ({placeholders})"  # noqa: S608 - table and column names from model metadata, quoted  # nosec B608
        self.postgres = connection.vendor == "postgresql"
        self.rows = 0
        self.seconds = 0.0

    def next_id(self) -> int:
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX({qn(self.pk_column)}), 0) FROM {qn(self.table)}")  # noqa: S608 - table and column names from model metadata, quoted  # nosec B608
            return cursor.fetchone()[0] + 1

    def write(self, rows: list[tuple]) -> None:
        if not rows:
            return
        started = time.monotonic()
        if self.tail:
            rows = [row + self.tail for row in rows]
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO()
                # QUOTE_NONNUMERIC: strings are quoted, so "" stays an empty string in NOT NULL text columns
                csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n").writerows(rows)
                buffer.seek(0)
                cursor.cursor.copy_expert(self.copy_sql, buffer)
            else:
                cursor.executemany(self.insert_sql, rows)
        self.rows += len(rows)
        self.seconds += time.monotonic() - started

    def reset_sequence(self) -> None:
        if not self.postgres:
            return  # SQLite's AUTOINCREMENT follows explicit ids by itself
        qn = connection.ops.quote_name
        pk = qn(self.pk_column)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), COALESCE(MAX({pk}), 1), MAX({pk}) IS NOT NULL) "  # noqa: S608 - table and column names from model metadata, quoted  # nosec B608
                f"FROM {qn(self.table)}",
                [self.table, self.pk_column],
            )


def _default_db_value(field: models.Field) -> Any:
    if field.has_default():
        value = field.get_default()
        if isinstance(field, models.JSONField):
            return json.dumps(value)
        return value
    if field.null:
        return None
    raise ValueError(f"seed_demo does not know how to fill {field.model.__name__}.{field.name}")


@dataclass
class _Country:
    name: str
    phone: str
    cities: list[str]
    first_names: list[tuple[str, str]]  # (name, ascii slug)
    last_names: list[tuple[str, str]]
    companies: list[tuple[str, str]]  # (name, domain)
    streets: list[str]


@functools.cache
def _country_pools(seed: int) -> tuple[_Country, ...]:
    """Generate the per-country Faker pools once per seed (read-only; cached for repeated runs in one process)."""
    rng = Random(seed)
    countries = []
    for name, locale, _weight, phone, legal, cities in COUNTRIES:
        # only the providers used here: loading all of them costs over a second
        fake = Faker(locale, providers=FAKER_PROVIDERS, use_weighting=False)
        fake.seed_instance(seed)
        firsts = sorted({fake.first_name() for _ in range(160)})
        lasts = sorted({fake.last_name() for _ in range(200)})
        companies = {fake.company() for _ in range(60)}
        companies |= {f"{rng.choice(lasts)} {rng.choice(COMPANY_WORDS)} {legal}" for _ in range(240)}
        companies = {company for company in companies if len(company) <= 120}
        countries.append(
            _Country(
                name=name,
                phone=phone,
                cities=cities,
                first_names=[(first, _fold(first) or "x") for first in firsts],
                last_names=[(last, _fold(last) or "x") for last in lasts],
                companies=[(company, _domain_for(company)) for company in sorted(companies)],
                streets=sorted({fake.street_name() for _ in range(40)}),
            )
        )
    return tuple(countries)


class _Seeder:
    def __init__(self, *, leads: int, seed: int, out: Output) -> None:
        self.n_leads = max(0, leads)
        self.random = Random(seed)
        self.seed = seed
        self.out = out
        now = int(timezone.now().timestamp())
        self.clock = _Clock(now)
        self.now = now
        self.mql_threshold = settings.FUNNEL_MQL_THRESHOLD
        self.counts: dict[str, int] = {}

    def run(self) -> dict[str, int]:
        self.out(f"Seeding demo data: {self.n_leads:,} leads, seed {self.seed}")
        _timed(self.out, "pools", self._build_pools)
        self._phase("users and teams", self._seed_users)
        self._phase("accounts and contacts", self._seed_accounts)
        self._phase("opportunities", self._seed_opportunities)
        self._phase("leads", self._seed_leads)
        self._print_logins()
        return self.counts

    def _phase(self, name: str, work: Callable[[], int]) -> None:
        def atomic_work() -> int:
            with transaction.atomic():
                return work()

        _timed(self.out, name, atomic_work)

    # --- pools ---------------------------------------------------------------

    def _build_pools(self) -> None:
        self.countries = _country_pools(self.seed)
        self.country_table = _weighted([(index, row[2]) for index, row in enumerate(COUNTRIES)])
        self.industry_table = _weighted(INDUSTRIES)
        self.title_table = _weighted([((title, department), weight) for title, weight, department in TITLES])
        self.band_table = _weighted(EMPLOYEE_BANDS)
        self.source_table = _weighted(list(SOURCE_WEIGHTS.items()))
        self.status_table = _weighted(list(STATUS_WEIGHTS.items()))
        self.kind_table = _weighted(ACTIVITY_KINDS)
        self.ratings = [Lead.rating_for(score) for score in range(101)]

    def _employees(self) -> tuple[int, str]:
        r = self.random.random
        low, high = self.band_table[int(r() * len(self.band_table))]
        employees = low + int(r() * (high - low + 1))
        revenue = employees * (60 + int(r() * 190)) * 1000
        return employees, f"{revenue}.00"

    def _phone(self, country: _Country) -> str:
        r = self.random.random
        return f"{country.phone} {100 + int(r() * 900)} {1000000 + int(r() * 9000000)}"

    # --- users -----------------------------------------------------------------

    def _seed_users(self) -> int:
        password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is deliberately slow
        users: dict[str, User] = {}
        for spec in DEMO_USERS:
            first, _, last = spec.name.partition(" ")
            user, _ = User.objects.update_or_create(
                username=spec.username,
                defaults={
                    "name": spec.name,
                    "first_name": first,
                    "last_name": last,
                    "email": f"{spec.username}@funnel-demo.example",
                    "role": spec.role,
                    "is_staff": spec.role == User.Role.ADMIN,
                    "is_superuser": spec.role == User.Role.ADMIN,
                    "is_active": True,
                    "accepts_leads": spec.role == User.Role.REP,
                    "password": password,
                },
            )
            users[spec.username] = user
        for team_name, manager_name in DEMO_TEAMS.items():
            team, _ = Team.objects.update_or_create(name=team_name, defaults={"manager": users[manager_name]})
            members = [spec.username for spec in DEMO_USERS if spec.team == team_name]
            User.objects.filter(username__in=members).update(team=team)
        self.users = users
        self.rep_ids = [users[spec.username].pk for spec in DEMO_USERS if spec.role == User.Role.REP]
        self.counts["users"] = len(users)
        return len(users) + len(DEMO_TEAMS)

    def _print_logins(self) -> None:
        self.out("")
        self.out(f"  {'username':<10} {'role':<8} {'team':<6} password")
        for spec in DEMO_USERS:
            self.out(f"  {spec.username:<10} {spec.role:<8} {spec.team or '-':<6} {DEMO_PASSWORD}")

    def _rep(self) -> int:
        return self.rep_ids[int(self.random.random() * len(self.rep_ids))]

    # --- accounts and contacts ----------------------------------------------

    def _seed_accounts(self) -> int:
        rng = self.random
        r = rng.random
        ts = self.clock.ts
        now = self.now
        n_accounts = max(10, self.n_leads // 20)
        account_table = _Table(Account, ACCOUNT_FIELDS)
        contact_table = _Table(Contact, CONTACT_FIELDS)
        relation_table = _Table(AccountContactRelation, RELATION_FIELDS)
        account_id = account_table.next_id()
        contact_id = contact_table.next_id()
        relation_id = relation_table.next_id()
        # kept for opportunities and lead conversion: (id, name, website, industry, employees, revenue,
        # country, city, owner, created) and per account its contacts (id, first, last, email, title, phone)
        self.accounts: list[tuple] = []
        self.account_contacts: list[list[tuple]] = []
        used_names: set[str] = set()
        accounts, contacts, relations = [], [], []
        for index in range(n_accounts):
            country = self.countries[self.country_table[int(r() * len(self.country_table))]]
            name, domain = country.companies[int(r() * len(country.companies))]
            city = country.cities[int(r() * len(country.cities))]
            if name in used_names:
                name = f"{name} {city}"
                domain = _domain_for(name)
            if name in used_names:
                name = f"{name} {index}"
                domain = _domain_for(name)
            used_names.add(name)
            website = f"https://www.{domain}"
            industry = self.industry_table[int(r() * len(self.industry_table))]
            employees, revenue = self._employees()
            owner = self._rep()
            created = now - DAY - int(r() * 540 * DAY)
            street = f"{1 + int(r() * 400)} {country.streets[int(r() * len(country.streets))]}"
            postal = f"{10000 + int(r() * 89999)}"
            phone = self._phone(country)
            accounts.append(
                (
                    account_id, name, website, domain, industry, employees, revenue, phone, street, city, "",
                    postal, country.name, None, "", normalize_company_name(name), owner, ts(created), ts(created),
                )
            )  # fmt: skip
            self.accounts.append(
                (account_id, name, website, industry, employees, revenue, country.name, city, owner, created)
            )
            people = []
            for _ in range(1 + int(r() * 3)):
                first, first_slug = country.first_names[int(r() * len(country.first_names))]
                last, last_slug = country.last_names[int(r() * len(country.last_names))]
                title, department = self.title_table[int(r() * len(self.title_table))]
                email = f"{first_slug}.{last_slug}@{domain}"
                contact_phone = self._phone(country)
                contact_created = min(now, created + int(r() * 30 * DAY))
                source = self.source_table[int(r() * len(self.source_table))]
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
            self.account_contacts.append(people)
            account_id += 1
            if len(contacts) >= CHUNK_SIZE:
                self._flush((account_table, accounts), (contact_table, contacts), (relation_table, relations))
        self._flush((account_table, accounts), (contact_table, contacts), (relation_table, relations))
        for table in (account_table, contact_table, relation_table):
            table.reset_sequence()
        self.counts.update(accounts=account_table.rows, contacts=contact_table.rows)
        return account_table.rows + contact_table.rows + relation_table.rows

    @staticmethod
    def _flush(*pending: tuple[_Table, list[tuple]]) -> None:
        """Write each table's pending rows, parents first, and empty the lists."""
        for table, rows in pending:
            table.write(rows)
            rows.clear()

    # --- opportunities ---------------------------------------------------------

    def _seed_opportunities(self) -> int:
        r = self.random.random
        ts = self.clock.ts
        now = self.now
        stages = list(Stage.objects.order_by("order", "id"))
        open_stages = [stage for stage in stages if not stage.is_closed]
        won_stages = [stage for stage in stages if stage.is_won]
        lost_stages = [stage for stage in stages if stage.is_closed and not stage.is_won]
        # most deals are open and early; a fifth won, a fifth lost
        weights = [(stage, max(1, 18 - 3 * position)) for position, stage in enumerate(open_stages)]
        weights += [(stage, max(1, 20 // len(won_stages))) for stage in won_stages]
        weights += [(stage, max(1, 20 // len(lost_stages))) for stage in lost_stages]
        stage_table = _weighted(weights)
        n_opportunities = max(20, self.n_leads // 10)
        opportunity_table = _Table(Opportunity, OPPORTUNITY_FIELDS)
        role_table = _Table(OpportunityContactRole, CONTACT_ROLE_FIELDS)
        change_table = _Table(OpportunityStageChange, STAGE_CHANGE_FIELDS)
        opportunity_id = opportunity_table.next_id()
        role_id = role_table.next_id()
        change_id = change_table.next_id()
        self.opportunities: list[tuple[int, int, int, int]] = []  # (id, account index, created, owner)
        opportunities, roles, changes = [], [], []
        for index in range(n_opportunities):
            # every stage appears at least once, whatever the size
            stage = stages[index] if index < len(stages) else stage_table[int(r() * len(stage_table))]
            account_index = int(r() * len(self.accounts))
            account = self.accounts[account_index]
            owner = account[8]
            amount = f"{int(3000 * (130 ** r())) // 100 * 100}.00"
            if stage.is_won:
                path = [*open_stages, stage]
            elif stage.is_closed:
                path = [*open_stages[: 1 + int(r() * len(open_stages))], stage]
            else:
                path = open_stages[: open_stages.index(stage) + 1]
            created = now - 2 * DAY - int(r() * 330 * DAY)
            span = (30 + int(r() * 150)) * DAY if stage.is_closed else int((now - created) * (0.2 + 0.8 * r()))
            end = min(now - 3600, created + span)
            times = [created, *sorted(created + 1 + int(r() * (end - created)) for _ in path[1:-1])]
            if len(path) > 1:
                times.append(end)
            previous = None
            for step, at in zip(path, times, strict=True):
                changes.append((change_id, opportunity_id, previous, step.pk, amount, owner, ts(at)))
                change_id += 1
                previous = step.pk
            last = times[-1]
            closed_at = last if stage.is_closed else None
            close_date = self.clock.day(last) if stage.is_closed else self.clock.day(now + int((r() * 170 - 10) * DAY))
            product = PRODUCTS[int(r() * len(PRODUCTS))]
            source = self.source_table[int(r() * len(self.source_table))]
            next_step = "" if stage.is_closed else NEXT_STEPS[int(r() * len(NEXT_STEPS))]
            lost_reason = LOST_REASONS[int(r() * len(LOST_REASONS))] if stage.is_closed and not stage.is_won else ""
            opportunities.append(
                (
                    opportunity_id, f"{account[1]} - {product}", account[0], amount, close_date, stage.pk,
                    stage.probability, stage.forecast_category, source, next_step, lost_reason, ts(closed_at), "",
                    owner, ts(created), ts(last),
                )
            )  # fmt: skip
            people = self.account_contacts[account_index]
            primary = people[int(r() * len(people))]
            roles.append((role_id, opportunity_id, primary[0], "Decision Maker", True))
            role_id += 1
            for person in people:
                if person is not primary and r() < 0.3:
                    roles.append((role_id, opportunity_id, person[0], CONTACT_ROLES[1 + int(r() * 5)], False))
                    role_id += 1
            self.opportunities.append((opportunity_id, account_index, created, owner))
            opportunity_id += 1
            if len(changes) >= CHUNK_SIZE:
                self._flush((opportunity_table, opportunities), (role_table, roles), (change_table, changes))
        self._flush((opportunity_table, opportunities), (role_table, roles), (change_table, changes))
        for table in (opportunity_table, role_table, change_table):
            table.reset_sequence()
        self.counts.update(opportunities=opportunity_table.rows, stage_changes=change_table.rows)
        return opportunity_table.rows + role_table.rows + change_table.rows

    # --- leads, their status history and activities ------------------------------

    def _seed_leads(self) -> int:
        rng = self.random
        r = rng.random
        ts = self.clock.ts
        now = self.now
        year = 365 * DAY
        countries = self.countries
        country_table, n_country = self.country_table, len(self.country_table)
        industry_table, n_industry = self.industry_table, len(self.industry_table)
        title_table, n_title = self.title_table, len(self.title_table)
        source_table, n_source = self.source_table, len(self.source_table)
        status_table, n_status = self.status_table, len(self.status_table)
        kind_table, n_kind = self.kind_table, len(self.kind_table)
        band_table, n_band = self.band_table, len(self.band_table)
        rep_ids, n_reps = self.rep_ids, len(self.rep_ids)
        ratings = self.ratings
        mql_threshold = self.mql_threshold
        accounts, account_contacts = self.accounts, self.account_contacts
        opportunity_pool = list(range(len(self.opportunities)))
        rng.shuffle(opportunity_pool)
        opportunities = self.opportunities
        forced_statuses = list(STATUS_WEIGHTS)
        forced_sources = list(SOURCE_WEIGHTS)
        lead_table = _Table(Lead, LEAD_FIELDS)
        change_table = _Table(LeadStatusChange, STATUS_CHANGE_FIELDS)
        activity_table = _Table(Activity, ACTIVITY_FIELDS)
        lead_id = lead_table.next_id()
        change_id = change_table.next_id()
        activity_id = activity_table.next_id()
        leads, changes, activities = [], [], []
        generate_seconds = 0.0
        chunk_started = time.monotonic()

        for index in range(self.n_leads):
            status = forced_statuses[index] if index < len(forced_statuses) else status_table[int(r() * n_status)]
            source = forced_sources[index] if index < len(forced_sources) else source_table[int(r() * n_source)]
            path = STATUS_PATHS[status]
            path = path[int(r() * len(path))]
            converted_account = converted_contact = converted_opportunity = None
            if status == "converted":
                opportunity = None
                if opportunity_pool and r() < 0.85:
                    opportunity = opportunities[opportunity_pool.pop()]
                    account_index = opportunity[1]
                else:
                    account_index = int(r() * len(accounts))
                account = accounts[account_index]
                people = account_contacts[account_index]
                person = people[int(r() * len(people))]
                converted_account, converted_contact = account[0], person[0]
                _, first, last, email, title, phone = person
                _, company, website, industry, employees, revenue, country_name, city, owner, _ = account
                if opportunity is not None:
                    converted_opportunity, owner = opportunity[0], opportunity[3]
                    end = opportunity[2]  # the deal was created by the conversion
                else:
                    end = now - 3600 - int(r() * (year - 30 * DAY))
                room = max(0, min(90 * DAY, end - 3 * 3600 - (now - year)))
                created = end - 3 * 3600 - int(r() * room)
            else:
                country = countries[country_table[int(r() * n_country)]]
                first, first_slug = country.first_names[int(r() * len(country.first_names))]
                last, last_slug = country.last_names[int(r() * len(country.last_names))]
                company, domain = country.companies[int(r() * len(country.companies))]
                city = country.cities[int(r() * len(country.cities))]
                country_name = country.name
                title = title_table[int(r() * n_title)][0]
                industry = industry_table[int(r() * n_industry)]
                website = f"https://www.{domain}" if r() < 0.7 else ""
                if source == "cold_call" and r() < 0.3:
                    email = ""
                elif r() < 0.5:
                    email = f"{first_slug}.{last_slug}.{lead_id}@{domain}"
                else:
                    email = f"{first_slug[0]}{last_slug}{lead_id}@{domain}"
                phone = f"{country.phone} {100 + int(r() * 900)} {1000000 + int(r() * 9000000)}" if r() < 0.8 else ""
                if r() < 0.8:
                    low, high = band_table[int(r() * n_band)]
                    employees = low + int(r() * (high - low + 1))
                    revenue = f"{employees * (60 + int(r() * 190)) * 1000}.00" if r() < 0.6 else None
                else:
                    employees = revenue = None
                # unassigned leads are fresh, parked or disqualified ones: about 10% of all
                if status in ("new", "nurturing", "unqualified") and r() < 0.16:
                    owner = None
                else:
                    owner = rep_ids[int(r() * n_reps)]
                created = now - 3600 - int(r() * (year - 3600))
                steps = len(path) - 1
                end = created + 600 * steps + int((now - created - 600 * steps) * r() * 0.7) if steps else created

            # status history: "" -> new at creation, then the walk; the last step is the current status
            times = [created]
            if len(path) > 2:
                times += sorted(created + 1 + int(r() * (end - created - 1)) for _ in path[1:-1])
            if len(path) > 1:
                times.append(end)
            previous = ""
            qualified_at = None
            reason = UNQUALIFIED_REASONS[int(r() * len(UNQUALIFIED_REASONS))] if status == "unqualified" else ""
            for step, at in zip(path, times, strict=True):
                changes.append(
                    (change_id, lead_id, previous, step, owner if previous else None, ts(at),
                     reason if step == "unqualified" else "")
                )  # fmt: skip
                change_id += 1
                previous = step
                if step == "qualified":
                    qualified_at = at
            converted_at = end if status == "converted" else None

            low, high = SCORE_RANGES[status]
            score = low + int(r() * (high - low + 1))
            scored_at = min(now, created + 60 + int((end - created + 3600) * r()))
            if converted_at is not None:
                scored_at = min(scored_at, converted_at)
            mql_at = None
            if score >= mql_threshold:
                reference = scored_at if qualified_at is None else min(scored_at, qualified_at)
                mql_at = created + 1 + int(r() * max(0, reference - created - 1))
            unsubscribed_at = None
            if status == "nurturing" and r() < 0.05:
                unsubscribed_at = created + int((now - created) * r())
            do_not_contact = status == "unqualified" and r() < 0.08

            last_activity_at = None
            if r() < 0.3:
                until = converted_at if converted_at is not None else now
                activity_owner = owner or rep_ids[int(r() * n_reps)]
                for _ in range(1 + int(r() * 3)):
                    at = created + 60 + int(r() * max(0, until - created - 60))
                    kind = kind_table[int(r() * n_kind)]
                    subjects = ACTIVITY_SUBJECTS[kind]
                    subject = subjects[int(r() * len(subjects))].format(first=first, last=last, company=company)
                    body = ACTIVITY_BODIES[int(r() * len(ACTIVITY_BODIES))]
                    due_at = completed_at = None
                    if kind == "task":
                        due_at = at + DAY * (1 + int(r() * 14))
                        if (due_at < now and r() < 0.75) or r() < 0.2:
                            completed_at = at + int((min(due_at, now) - at) * r())
                    activities.append(
                        (activity_id, lead_id, None, None, None, kind, subject, body, ts(due_at), ts(completed_at),
                         activity_owner, ts(at), ts(completed_at or at))
                    )  # fmt: skip
                    activity_id += 1
                    if last_activity_at is None or at > last_activity_at:
                        last_activity_at = at
            updated_at = max(end, scored_at, last_activity_at or 0, unsubscribed_at or 0)

            leads.append(
                (
                    lead_id, first, last, email, phone, company, title, website, industry, employees, revenue,
                    country_name, city, source, status, reason, score, ratings[score], ts(scored_at), do_not_contact,
                    ts(unsubscribed_at), "", ts(mql_at), ts(qualified_at), ts(converted_at), converted_account,
                    converted_contact, converted_opportunity, ts(last_activity_at), owner, ts(created), ts(updated_at),
                )
            )  # fmt: skip
            lead_id += 1
            if len(leads) >= CHUNK_SIZE:
                generate_seconds += time.monotonic() - chunk_started
                self._flush((lead_table, leads), (change_table, changes), (activity_table, activities))
                if lead_table.rows % (4 * CHUNK_SIZE) == 0:
                    self.out(f"    … {lead_table.rows:,} / {self.n_leads:,} leads")
                chunk_started = time.monotonic()
        generate_seconds += time.monotonic() - chunk_started
        self._flush((lead_table, leads), (change_table, changes), (activity_table, activities))
        for table in (lead_table, change_table, activity_table):
            table.reset_sequence()
        self.out(
            f"    generate {generate_seconds:.1f} s; write leads {lead_table.seconds:.1f} s, "
            f"status changes {change_table.seconds:.1f} s ({change_table.rows:,}), "
            f"activities {activity_table.seconds:.1f} s ({activity_table.rows:,})"
        )
        self.counts.update(leads=lead_table.rows, status_changes=change_table.rows, activities=activity_table.rows)
        return lead_table.rows + change_table.rows + activity_table.rows
