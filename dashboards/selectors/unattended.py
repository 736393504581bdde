"""Open leads nobody has touched for a while, per owner."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from dashboards.filters import FunnelFilters
from dashboards.selectors.cohort import list_owner_groups, owner_names, scope
from leads.models import Lead
from users.models import User


def get_unattended(
    user: User, filters: FunnelFilters, *, now=None, owner_groups: list[Q] | None = None
) -> list[dict[str, Any]]:
    """Return, per owner, open leads with no activity for `filters.idle_days` days and the oldest idle since."""
    cutoff = (now or timezone.now()) - timedelta(days=filters.idle_days)
    idle = (
        scope(Lead.objects.visible_to(user).open(), filters)
        .annotate(idle_since=Coalesce("last_activity_at", "created_at"))
        .filter(idle_since__lt=cutoff)
    )
    rows = [
        row
        for group in (owner_groups if owner_groups is not None else list_owner_groups(user, filters))
        for row in idle.filter(group)
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
