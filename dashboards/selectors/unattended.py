"""Open leads nobody has touched for a while, per owner."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboards import funnel_rollup
from dashboards.filters import FunnelFilters
from dashboards.selectors.cohort import list_owner_groups, owner_names, scope
from leads.models import Lead
from users.models import User


def get_unattended(
    user: User, filters: FunnelFilters, *, now=None, owner_groups: list[Q] | None = None
) -> list[dict[str, Any]]:
    """Return, per owner, open leads with no activity for `filters.idle_days` days and the oldest idle since."""
    cutoff = (now or timezone.now()) - timedelta(days=filters.idle_days)
    idle = scope(Lead.objects.visible_to(user).open(), filters).annotate(
        idle_since=Coalesce("last_activity_at", "created_at")
    )
    if funnel_rollup.answers(filters):
        rows = _from_rollup(user, filters, idle, cutoff)
    else:
        rows = [
            row
            for group in (owner_groups if owner_groups is not None else list_owner_groups(user, filters))
            for row in idle.filter(group, idle_since__lt=cutoff)
            .values("owner_id")
            .annotate(leads=Count("pk"), oldest=Min("idle_since"))
            .order_by()
        ]
    names = owner_names(r["owner_id"] for r in rows)
    return sorted(
        (
            {
                "owner": r["owner_id"],
                "owner_name": names.get(r["owner_id"], "Unassigned"),
                "leads": r["leads"],
                "idle_since": r["oldest"],
            }
            for r in rows
        ),
        key=lambda r: (-r["leads"], r["owner_name"], r["owner"] or 0),
    )


def _from_rollup(user: User, filters: FunnelFilters, idle, cutoff: datetime) -> list[dict[str, Any]]:
    """Whole days before the cutoff's day from the rollup; that day's leads and each owner's oldest from the index.

    The rollup counts open leads by the day they went idle; the cutoff falls inside a day, whose leads idle before
    it are counted from the leads (one day of entries per owner), as is each owner's exact oldest idle moment (its
    oldest day's entries).
    """
    cutoff_day = timezone.localtime(cutoff).date()
    day_start = timezone.make_aware(datetime.combine(cutoff_day, time.min))
    before: dict[int | None, int] = {}
    oldest_day: dict[int | None, object] = {}
    for row in funnel_rollup.rollup_rows(
        funnel_rollup.UNATTENDED, user, filters, by=("owner_id", "day"), last_day=cutoff_day
    ):
        owner = row["owner_id"]
        if row["day"] < cutoff_day:
            before[owner] = before.get(owner, 0) + row["leads"]
        oldest_day[owner] = min(oldest_day.get(owner, row["day"]), row["day"])
    if not oldest_day:
        return []
    on_cutoff_day = Q(idle_since__gte=day_start, idle_since__lt=cutoff)
    wanted = Q(pk__in=[])
    for owner, day in oldest_day.items():
        day_end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
        mine = Q(owner__isnull=True) if owner is None else Q(owner=owner)
        wanted |= mine & (Q(idle_since__lt=min(day_end, cutoff)) | on_cutoff_day)
    exact = {
        row["owner_id"]: row
        for row in idle.filter(wanted)
        .values("owner_id")
        .annotate(boundary=Count("pk", filter=on_cutoff_day), oldest=Min("idle_since"))
        .order_by()
    }
    rows = []
    for owner in oldest_day:
        found = exact.get(owner, {"boundary": 0, "oldest": None})
        leads = before.get(owner, 0) + found["boundary"]
        if leads:
            rows.append({"owner_id": owner, "leads": leads, "oldest": found["oldest"]})
    return rows
