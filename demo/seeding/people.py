"""B2C demo leads: a few people buying for themselves, with no company, who convert into person accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

if TYPE_CHECKING:
    from demo.seeding.context import SeedContext

# One open lead in fifty, chosen by id so the demo stays deterministic whatever else is seeded.
EVERY = 50


def seed_people(ctx: SeedContext) -> int:
    """Turn every 50th open lead into a person: no company, no website, a personal address."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE leads_lead SET company = '', website = '', email = 'person' || id || '@home.example' "
            "WHERE status IN ('new', 'working', 'nurturing', 'qualified') AND id %% %s = 7",
            [EVERY],
        )
        ctx.counts["b2c_leads"] = cursor.rowcount
        return cursor.rowcount
