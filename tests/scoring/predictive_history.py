"""A synthetic sales history for the predictive model's tests, built with bulk_create in well under a second."""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from activities.models import Event
from leads.models import Lead, LeadStatusChange
from scoring.rules import NURTURE_CLICKED, NURTURE_OPENED
from tests.factories import AccountFactory

OTHER_SOURCES = ["web", "cold_call", "advertising", "partner"]
TITLES = ["CEO", "VP Sales", "Engineer", "Sales Manager", "Analyst", ""]


def build_history(closed: int, *, signal: bool, seed: int = 7, open_leads: int = 0) -> list[Lead]:
    """`closed` closed leads over the last 300 days (oldest first) plus `open_leads` open ones; returns them all.

    With `signal`, a lead converts with probability 5% + 45% if its source is webinar + 45% if it clicked a nurture
    email at least twice before closing; without, every lead converts with probability 30% whatever it looks like.
    Everything else (industry, size, country, title, email domain, opens) is drawn at random.
    """
    rng = random.Random(seed)
    now = timezone.now()
    account = AccountFactory()
    leads, created_times, events, history = [], [], [], []
    total = closed + open_leads
    for i in range(total):
        created = now - timedelta(days=300) + timedelta(days=280 * i / max(total, 1))
        source = "webinar" if rng.random() < 0.4 else rng.choice(OTHER_SOURCES)
        clicks, opens = rng.randint(0, 4), rng.randint(0, 3)
        is_closed = i < closed
        closed_at = created + timedelta(days=10)
        chance = 0.05 + 0.45 * (source == "webinar") + 0.45 * (clicks >= 2) if signal else 0.3
        converts = is_closed and rng.random() < chance
        status = (
            Lead.Status.CONVERTED
            if converts
            else Lead.Status.UNQUALIFIED
            if is_closed
            else rng.choice([Lead.Status.NEW, Lead.Status.WORKING])
        )
        lead = Lead(
            first_name="Pat",
            last_name=f"History {i}",
            email=f"pat{i}@{'gmail.com' if rng.random() < 0.3 else f'firm{i}.example'}",
            source=source,
            industry=rng.choice(["Software", "Retail", "Finance"]),
            employees=rng.choice([None, 8, 120, 900, 7000]),
            country=rng.choice(["US", "FR", "DE"]),
            title=rng.choice(TITLES),
            status=status,
            converted_at=closed_at if converts else None,
            converted_account=account if converts else None,
        )
        leads.append(lead)
        created_times.append(created)
        times = [created + timedelta(days=rng.uniform(0, 9)) for _ in range(clicks + opens)]
        events.append([(NURTURE_CLICKED if n < clicks else NURTURE_OPENED, at) for n, at in enumerate(times)])
        history.append(closed_at if is_closed and not converts else None)
    Lead.objects.bulk_create(leads)
    for lead, created in zip(leads, created_times, strict=True):
        lead.created_at = created  # bulk_create stamped now (auto_now_add): put the history back in time
    Lead.objects.bulk_update(leads, ["created_at"], batch_size=500)
    rows = [
        Event(lead=lead, kind=kind, summary=kind) for lead, mine in zip(leads, events, strict=True) for kind, _ in mine
    ]
    Event.objects.bulk_create(rows)
    for row, at in zip(rows, [at for mine in events for _, at in mine], strict=True):
        row.created_at = at
    Event.objects.bulk_update(rows, ["created_at"], batch_size=500)
    LeadStatusChange.objects.bulk_create(
        [
            LeadStatusChange(lead=lead, from_status="working", to_status="unqualified", changed_at=at)
            for lead, at in zip(leads, history, strict=True)
            if at is not None
        ]
    )
    return leads
