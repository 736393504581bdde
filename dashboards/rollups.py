"""Rollups the reports read instead of recounting the timeline: rebuilt from the records in one call.

The services keep each rollup in the same transaction as the writes it counts; `rebuild_rollups` recounts them all
from scratch — after data was written around the services (the demo seeding, the benchmark's dataset), after
settings.TIME_ZONE changed (their periods are in that zone), or to check them. Today: the leads each rep worked per
day and week (`activities.work`); the funnel's counts per created day, owner and source (`dashboards.funnel_rollup`,
kept by the database's triggers on PostgreSQL).
"""

from __future__ import annotations

from activities.work import rebuild_work
from dashboards import funnel_rollup
from leads.models import LeadStatusChange


def rebuild_rollups() -> dict[str, int]:
    """Recount every rollup; return the rows written per rollup."""
    return {
        "leads worked (rep, day, lead)": rebuild_work(LeadStatusChange.objects.work()),
        "funnel (day, owner, source)": funnel_rollup.rebuild(),
    }
