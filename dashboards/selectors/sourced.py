"""SDR-sourced pipeline: the deals each SDR's leads became after the hand-off to an AE (`sourced_by`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from dashboards.filters import FunnelFilters
from dashboards.selectors.cohort import owner_names
from dashboards.selectors.formatting import to_money
from opportunities.models import Opportunity
from users.models import User


def get_sdr_sourced(user: User, filters: FunnelFilters) -> list[dict[str, Any]]:
    """Return, per SDR, the visible opportunities they sourced: count, open pipeline, and won in the date range.

    Scoped like the pipeline (deals the user can see; team and owner filters name the SDR, since the SDR is who
    the row is about; the source filter applies to the deal's lead source). One grouped query.
    """
    qs = Opportunity.objects.visible_to(user).filter(sourced_by__isnull=False)
    if filters.team is not None:
        qs = qs.filter(sourced_by__team=filters.team)
    if filters.owner is not None:
        qs = qs.filter(sourced_by=filters.owner)
    if filters.source:
        qs = qs.filter(lead_source=filters.source)
    won_in_range = Q(stage__is_won=True, closed_at__gte=filters.start, closed_at__lt=filters.end)
    rows = list(
        qs.values("sourced_by_id")
        .annotate(
            deals=Count("pk"),
            open_deals=Count("pk", filter=Q(stage__is_closed=False)),
            open_amount=Sum("amount", filter=Q(stage__is_closed=False)),
            won_deals=Count("pk", filter=won_in_range),
            won=Sum("amount", filter=won_in_range),
        )
        .order_by()
    )
    names = owner_names(row["sourced_by_id"] for row in rows)
    result = [
        {
            "sdr": row["sourced_by_id"],
            "sdr_name": names.get(row["sourced_by_id"], ""),
            "deals": row["deals"],
            "open_deals": row["open_deals"],
            "amount": to_money(row["open_amount"] or Decimal(0)),
            "won_deals": row["won_deals"],
            "won_amount": to_money(row["won"] or Decimal(0)),
        }
        for row in rows
    ]
    return sorted(result, key=lambda row: (-Decimal(row["amount"]), row["sdr_name"]))
