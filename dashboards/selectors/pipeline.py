"""Deals: the open pipeline by stage and close month, and the deals won and lost in the date range."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum

from dashboards.filters import FunnelFilters
from dashboards.selectors.cohort import list_owner_groups, scope
from dashboards.selectors.formatting import to_money
from opportunities.models import Opportunity, Stage
from users.models import User


def get_pipeline(
    user: User, filters: FunnelFilters, *, owner_groups: list[Q] | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Return open opportunities by stage and expected revenue by close month (the date range does not apply)."""
    open_stages = {stage.pk: stage for stage in Stage.objects.filter(is_closed=False)}
    qs = scope(
        Opportunity.objects.visible_to(user).filter(stage_id__in=list(open_stages)), filters, source_field="lead_source"
    )
    # Grouped by stage and close date (a few hundred rows), folded into months here: truncating every deal's date
    # to its month in SQL costs more than the whole scan.
    grouped = (
        qs.values("stage_id", "close_date")
        .annotate(
            n=Count("pk"),
            total=Sum("amount"),
            weighted=Sum(
                ExpressionWrapper(
                    F("amount") * F("probability"), output_field=DecimalField(max_digits=20, decimal_places=2)
                )
            ),
        )
        .order_by()
    )
    groups = owner_groups if owner_groups is not None else list_owner_groups(user, filters)
    rows = [row for group in groups for row in grouped.filter(group)]
    stages: dict[int, dict[str, Any]] = {}
    months: dict[date | None, dict[str, Any]] = {}
    for row in rows:
        stage = open_stages[row["stage_id"]]
        month = row["close_date"].replace(day=1) if row["close_date"] else None
        for bucket in (
            stages.setdefault(stage.pk, {"stage": stage.pk, "name": stage.name, "order": stage.order, **_zero()}),
            months.setdefault(month, {"month": month, **_zero()}),
        ):
            bucket["count"] += row["n"]
            bucket["amount"] += row["total"] or Decimal(0)
            bucket["weighted"] += row["weighted"] or Decimal(0)

    def money(bucket: dict[str, Any]) -> dict[str, Any]:
        out = {k: v for k, v in bucket.items() if k not in {"amount", "weighted", "order"}}
        out["amount"] = to_money(bucket["amount"])
        out["weighted_amount"] = to_money(bucket["weighted"] / 100)
        return out

    return {
        "by_stage": [money(b) for b in sorted(stages.values(), key=lambda b: (b["order"], b["stage"]))],
        "by_close_month": [
            {**money(b), "month": b["month"].strftime("%Y-%m") if b["month"] else ""}
            for b in sorted(months.values(), key=lambda b: (b["month"] is None, b["month"] or date.min))
        ],
    }


def _zero() -> dict[str, Any]:
    return {"count": 0, "amount": Decimal(0), "weighted": Decimal(0)}


def get_closed_deals(user: User, filters: FunnelFilters) -> dict[str, Any]:
    """Return deals won and lost with `closed_at` in the range, and the lost ones by reason."""
    rows = (
        scope(Opportunity.objects.visible_to(user), filters, source_field="lead_source")
        .filter(stage__is_closed=True, closed_at__gte=filters.start, closed_at__lt=filters.end)
        .values("stage__is_won", "lost_reason")
        .annotate(n=Count("pk"), total=Sum("amount"))
        .order_by()
    )
    won = {"count": 0, "amount": Decimal(0)}
    lost = {"count": 0, "amount": Decimal(0)}
    reasons: dict[str, dict[str, Any]] = defaultdict(lambda: {"count": 0, "amount": Decimal(0)})
    for row in rows:
        buckets = [won] if row["stage__is_won"] else [lost, reasons[row["lost_reason"].strip() or "(no reason given)"]]
        for bucket in buckets:
            bucket["count"] += row["n"]
            bucket["amount"] += row["total"] or Decimal(0)
    return {
        "won": {"count": won["count"], "amount": to_money(won["amount"])},
        "lost": {"count": lost["count"], "amount": to_money(lost["amount"])},
        "lost_reasons": [
            {"reason": reason, "count": v["count"], "amount": to_money(v["amount"])}
            for reason, v in sorted(reasons.items(), key=lambda item: (-item[1]["count"], item[0]))
        ],
    }
