"""What the demo records are drawn from: weighted catalogs and per-country Faker pools, built once per seed."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

from faker import Faker

from core.text import normalize_company_name

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
ACTIVITY_KINDS = [("call", 30), ("email", 25), ("note", 15), ("meeting", 12), ("task", 18)]


def fold(text: str) -> str:
    """Lower-case ASCII letters and digits only: for email local parts and domains."""
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]+", "", "".join(ch for ch in text if not unicodedata.combining(ch)).lower())


def domain_for(company: str) -> str:
    words = normalize_company_name(company).split()
    slug = "-".join(fold(word) for word in words if fold(word))[:50].strip("-")
    return f"{slug or 'company'}.example"


def weighted(pairs: Sequence[tuple[Any, int]]) -> list[Any]:
    """Expand (value, weight) pairs into a lookup list: `table[int(random() * len(table))]` picks fast."""
    return [value for value, weight in pairs for _ in range(weight)]


@dataclass
class Country:
    name: str
    phone: str
    cities: list[str]
    first_names: list[tuple[str, str]]  # (name, ascii slug)
    last_names: list[tuple[str, str]]
    companies: list[tuple[str, str]]  # (name, domain)
    streets: list[str]


@functools.cache
def country_pools(seed: int) -> tuple[Country, ...]:
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
            Country(
                name=name,
                phone=phone,
                cities=cities,
                first_names=[(first, fold(first) or "x") for first in firsts],
                last_names=[(last, fold(last) or "x") for last in lasts],
                companies=[(company, domain_for(company)) for company in sorted(companies)],
                streets=sorted({fake.street_name() for _ in range(40)}),
            )
        )
    return tuple(countries)
