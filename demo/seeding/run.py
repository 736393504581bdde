"""`seed_demo()`: reset if asked, then seed users, accounts, opportunities and leads in that order, timing each."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from dashboards.rollups import rebuild_rollups
from demo.seeding.accounts import seed_accounts
from demo.seeding.campaigns import seed_campaigns
from demo.seeding.context import Output, SeedContext
from demo.seeding.forecast import seed_forecast
from demo.seeding.grades import seed_grades
from demo.seeding.leads import seed_leads
from demo.seeding.opportunities import seed_opportunities
from demo.seeding.people import seed_people
from demo.seeding.reset import reset_demo_data
from demo.seeding.routing import seed_routing, seed_sla
from demo.seeding.users import print_logins, seed_users
from leads.models import Lead
from users.models import User

DEFAULT_LEADS = 2000
DEFAULT_SEED = 42

# each record type draws on the ones before it: reps own accounts, deals sit on accounts, leads convert into deals
PHASES: list[tuple[str, Callable[[SeedContext], int]]] = [
    ("users and teams", seed_users),
    ("territories and routing", seed_routing),
    ("accounts and contacts", seed_accounts),
    ("opportunities", seed_opportunities),
    ("leads", seed_leads),
    ("B2C leads", seed_people),
    ("grades and BANT answers", seed_grades),
    ("campaigns and members", seed_campaigns),
    ("first-touch clocks", seed_sla),
    ("quotas and forecast", seed_forecast),
    # the seeding writes the timeline set-based, around the services that keep the reports' rollups: count them now
    ("report rollups", lambda ctx: sum(rebuild_rollups().values())),
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
        _timed(out, "reset", lambda: reset_demo_data())
    elif User.objects.filter(username="manager").exists() and Lead.objects.exists():
        out(f"Demo data already present ({Lead.objects.count():,} leads); nothing to do. Use --reset to recreate it.")
        return SeedResult(created=False, counts={}, seconds=time.monotonic() - started)
    counts = _seed(leads=leads, seed=seed, out=out)
    return SeedResult(created=True, counts=counts, seconds=time.monotonic() - started)


def _seed(*, leads: int, seed: int, out: Output) -> dict[str, int]:
    ctx = SeedContext(leads=leads, seed=seed, out=out)
    out(f"Seeding demo data: {ctx.n_leads:,} leads, seed {ctx.seed}")
    _timed(out, "pools", ctx.build_pools)
    for name, work in PHASES:
        _phase(ctx, name, work)
    print_logins(out)
    return ctx.counts


def _phase(ctx: SeedContext, name: str, work: Callable[[SeedContext], int]) -> None:
    def atomic_work() -> int:
        with transaction.atomic():
            return work(ctx)

    _timed(ctx.out, name, atomic_work)


def _timed(out: Output, name: str, work: Callable[[], Any]) -> Any:
    started = time.monotonic()
    result = work()
    rows = result if isinstance(result, int) else None
    label = f"{rows:>12,} rows" if rows is not None else " " * 17
    out(f"  {name:<22}{label} {time.monotonic() - started:8.1f} s")
    return result
