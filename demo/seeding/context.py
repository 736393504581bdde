"""The state one seeding run shares between record types: the random stream, the clock, the pools, what was written."""

from __future__ import annotations

from collections.abc import Callable
from random import Random

from django.conf import settings
from django.utils import timezone

from demo.seeding.pools import (
    ACTIVITY_KINDS,
    COUNTRIES,
    EMPLOYEE_BANDS,
    INDUSTRIES,
    SOURCE_WEIGHTS,
    STATUS_WEIGHTS,
    TITLES,
    Country,
    country_pools,
    weighted,
)
from demo.seeding.writer import Clock
from leads.models import Lead
from users.models import User

Output = Callable[[str], None]


class SeedContext:
    """One run's random stream and pools; each record type adds what later ones draw on (reps, accounts, deals)."""

    countries: tuple[Country, ...]
    country_table: list[int]
    industry_table: list[str]
    title_table: list[tuple[str, str]]
    band_table: list[tuple[int, int]]
    source_table: list[str]
    status_table: list[str]
    kind_table: list[str]
    ratings: list[str]
    users: dict[str, User]
    rep_ids: list[int]
    # (id, name, website, industry, employees, revenue, country, city, owner, created)
    accounts: list[tuple]
    # per account its contacts: (id, first, last, email, title, phone)
    account_contacts: list[list[tuple]]
    # (id, account index, created, owner)
    opportunities: list[tuple[int, int, int, int]]

    def __init__(self, *, leads: int, seed: int, out: Output) -> None:
        self.n_leads = max(0, leads)
        self.random = Random(seed)
        self.seed = seed
        self.out = out
        now = int(timezone.now().timestamp())
        self.clock = Clock(now)
        self.now = now
        self.mql_threshold = settings.FUNNEL_MQL_THRESHOLD
        self.counts: dict[str, int] = {}

    def build_pools(self) -> None:
        """Load the Faker pools and expand every weighted catalog into a lookup list."""
        self.countries = country_pools(self.seed)
        self.country_table = weighted([(index, row[2]) for index, row in enumerate(COUNTRIES)])
        self.industry_table = weighted(INDUSTRIES)
        self.title_table = weighted([((title, department), weight) for title, weight, department in TITLES])
        self.band_table = weighted(EMPLOYEE_BANDS)
        self.source_table = weighted(list(SOURCE_WEIGHTS.items()))
        self.status_table = weighted(list(STATUS_WEIGHTS.items()))
        self.kind_table = weighted(ACTIVITY_KINDS)
        self.ratings = [Lead.rating_for(score) for score in range(101)]
