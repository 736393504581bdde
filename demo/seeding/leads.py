"""Demo leads with their status history: each walks a plausible path to its status; converted ones reuse deals."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from demo.seeding.activities import LeadActivities
from demo.seeding.pools import SOURCE_WEIGHTS, STATUS_WEIGHTS
from demo.seeding.signals import (
    ACTIVITY_SHARE,
    FREE_MAIL_DOMAINS,
    FREE_MAIL_SHARE,
    activity_plan,
    is_senior,
    source_tables,
    title_tables,
)
from demo.seeding.writer import CHUNK_SIZE, DAY, Table, flush
from leads.models import Lead, LeadStatusChange

if TYPE_CHECKING:
    from demo.seeding.context import SeedContext

# status -> inclusive score range: qualified and converted leads were MQLs first
SCORE_RANGES = {
    "new": (0, 65), "working": (15, 85), "nurturing": (5, 60),
    "qualified": (50, 100), "unqualified": (0, 45), "converted": (55, 100),
}  # fmt: skip
UNQUALIFIED_REASONS = [
    "No budget this year", "Student / researcher", "Competitor", "No decision power", "Too small",
    "Bought a competitor", "Duplicate", "Not reachable", "Wrong region",
]  # fmt: skip
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


def seed_leads(ctx: SeedContext) -> int:
    """Write the leads, their status changes and activities in chunks; converted leads point at seeded records."""
    rng = ctx.random
    r = rng.random
    ts = ctx.clock.ts
    now = ctx.now
    year = 365 * DAY
    countries = ctx.countries
    country_table, n_country = ctx.country_table, len(ctx.country_table)
    industry_table, n_industry = ctx.industry_table, len(ctx.industry_table)
    # status -> lookup lists skewed by the outcome (demo.seeding.signals): the history the conversion model learns
    sources_by_status, titles_by_status = source_tables(), title_tables()
    status_table, n_status = ctx.status_table, len(ctx.status_table)
    band_table, n_band = ctx.band_table, len(ctx.band_table)
    rep_ids, n_reps = ctx.rep_ids, len(ctx.rep_ids)
    ratings = ctx.ratings
    mql_threshold = ctx.mql_threshold
    accounts, account_contacts = ctx.accounts, ctx.account_contacts
    opportunity_pool = list(range(len(ctx.opportunities)))
    rng.shuffle(opportunity_pool)
    opportunities = ctx.opportunities
    forced_statuses = list(STATUS_WEIGHTS)
    forced_sources = list(SOURCE_WEIGHTS)
    lead_table = Table(Lead, LEAD_FIELDS)
    change_table = Table(LeadStatusChange, STATUS_CHANGE_FIELDS)
    activities = LeadActivities(ctx)
    lead_id = lead_table.next_id()
    change_id = change_table.next_id()
    leads, changes = [], []
    generate_seconds = 0.0
    chunk_started = time.monotonic()

    for index in range(ctx.n_leads):
        status = forced_statuses[index] if index < len(forced_statuses) else status_table[int(r() * n_status)]
        if index < len(forced_sources):
            source = forced_sources[index]
        else:
            source_table = sources_by_status[status]
            source = source_table[int(r() * len(source_table))]
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
            if not is_senior(person[4]) and r() < 0.5:
                # the deal was more often done with a senior buyer
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
            title_table = titles_by_status[status]
            title = title_table[int(r() * len(title_table))][0]
            industry = industry_table[int(r() * n_industry)]
            website = f"https://www.{domain}" if r() < 0.7 else ""
            if source == "cold_call" and r() < 0.3:
                email = ""
            elif r() < FREE_MAIL_SHARE[status]:
                email = f"{first_slug}.{last_slug}{lead_id}@{FREE_MAIL_DOMAINS[int(r() * len(FREE_MAIL_DOMAINS))]}"
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
            owner = None if status in ("new", "nurturing", "unqualified") and r() < 0.16 else rep_ids[int(r() * n_reps)]
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
        if r() < ACTIVITY_SHARE[status]:
            until = converted_at if converted_at is not None else now
            count, first_within = activity_plan(status, r)
            last_activity_at = activities.draw(
                lead_id, owner=owner, created=created, until=until, first=first, last=last, company=company,
                count=count, first_within=first_within,
            )  # fmt: skip
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
            flush((lead_table, leads), (change_table, changes), (activities.table, activities.rows))
            if lead_table.rows % (4 * CHUNK_SIZE) == 0:
                ctx.out(f"    … {lead_table.rows:,} / {ctx.n_leads:,} leads")
            chunk_started = time.monotonic()
    generate_seconds += time.monotonic() - chunk_started
    flush((lead_table, leads), (change_table, changes), (activities.table, activities.rows))
    for table in (lead_table, change_table, activities.table):
        table.reset_sequence()
    ctx.out(
        f"    generate {generate_seconds:.1f} s; write leads {lead_table.seconds:.1f} s, "
        f"status changes {change_table.seconds:.1f} s ({change_table.rows:,}), "
        f"activities {activities.table.seconds:.1f} s ({activities.table.rows:,})"
    )
    ctx.counts.update(leads=lead_table.rows, status_changes=change_table.rows, activities=activities.table.rows)
    return lead_table.rows + change_table.rows + activities.table.rows
