"""Open leads nobody has touched for a while, per owner."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
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

    The rollup counts open leads by the day they went idle. The cutoff falls inside a day, whose leads idle before
    it are counted from the leads (one day of entries); each owner's exact oldest idle moment is the first entry of
    their part of the idle index (one descent per owner, in one query): a year-old lead's page is never read.
    """
    cutoff_day = timezone.localtime(cutoff).date()
    day_start = timezone.make_aware(datetime.combine(cutoff_day, time.min))
    before: dict[int | None, int] = {}
    first_day: dict[int | None, date] = {}
    for row in funnel_rollup.rollup_rows(
        funnel_rollup.UNATTENDED, user, filters, by=("owner_id", "day"), last_day=cutoff_day
    ):
        first_day[row["owner_id"]] = min(first_day.get(row["owner_id"], row["day"]), row["day"])
        if row["day"] < cutoff_day:
            before[row["owner_id"]] = before.get(row["owner_id"], 0) + row["leads"]
    owners = set(first_day)
    if not owners:
        return []
    named = sorted(owner for owner in owners if owner is not None)
    whose = Q(owner__in=named) | (Q(owner__isnull=True) if None in owners else Q(pk__in=[]))
    on_cutoff_day = dict(
        idle.filter(whose, idle_since__gte=day_start, idle_since__lt=cutoff)
        .values("owner_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("owner_id", "n")
    )
    leads = {owner: before.get(owner, 0) + on_cutoff_day.get(owner, 0) for owner in owners}
    idle_owners = sorted((owner for owner, n in leads.items() if n), key=lambda owner: owner or 0)
    if not idle_owners:
        return []
    # Bounded by the end of the owner's first idle day: "owner IS NULL" does not let PostgreSQL read the index in
    # order, and the bound keeps that part of the scan to one day of unassigned leads.
    firsts = [
        idle.filter(
            Q(owner__isnull=True) if owner is None else Q(owner=owner),
            idle_since__lt=timezone.make_aware(datetime.combine(first_day[owner] + timedelta(days=1), time.min)),
        )
        .order_by("idle_since")
        .values_list("owner_id", "idle_since")[:1]
        for owner in idle_owners
    ]
    oldest = dict(firsts[0].union(*firsts[1:], all=True)) if len(firsts) > 1 else dict(firsts[0])
    return [{"owner_id": owner, "leads": leads[owner], "oldest": oldest.get(owner)} for owner in idle_owners]
