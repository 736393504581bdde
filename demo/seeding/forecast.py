"""Demo forecast: quotas for the reps, last week's snapshot, a few categories set by hand and a couple of slipped deals."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from opportunities.forecasting import set_forecast_category, set_quota, take_forecast_snapshots
from opportunities.models import ForecastCategory, Opportunity
from opportunities.selectors import PERIODS, get_period
from opportunities.services import update_opportunity
from users.models import User

if TYPE_CHECKING:
    from demo.seeding.context import SeedContext

MONTHLY_QUOTA = 40_000
OVERRIDES = [
    (ForecastCategory.COMMIT, "Verbal yes from the economic buyer; paperwork next week."),
    (ForecastCategory.BEST_CASE, "Champion is strong but procurement has not started."),
    (ForecastCategory.OMITTED, "Budget frozen until next fiscal year."),
]
SLIPPED_DEALS = 2


def seed_forecast(ctx: SeedContext) -> int:
    """Set quotas for this and next month and quarter, snapshot last week, then override and push a few deals."""
    admin = User.objects.filter(role=User.Role.ADMIN).order_by("pk").first()
    today = timezone.localdate()
    written = 0
    for index, rep in enumerate(User.objects.filter(pk__in=ctx.rep_ids).order_by("pk")):
        monthly = Decimal(MONTHLY_QUOTA + 5_000 * (index % 4))
        for key, _label in PERIODS:
            period = get_period(key, today=today)
            amount = monthly * (3 if period.kind == "quarter" else 1)
            set_quota(by=admin, user=rep, period=period.kind, period_start=period.start, amount=amount)
            written += 1
    # Last week's figures first, so the changes below show as "change since last week".
    written += take_forecast_snapshots(timezone.now() - timedelta(days=7))
    month = get_period("this_month", today=today)
    open_deals = list(
        Opportunity.objects.filter(
            stage__is_closed=False, owner_id__in=ctx.rep_ids, close_date__range=(month.start, month.end)
        )
        .select_related("owner", "stage")
        .order_by("pk")[: len(OVERRIDES) + SLIPPED_DEALS]
    )
    for deal, (category, note) in zip(open_deals, OVERRIDES, strict=False):
        if deal.forecast_category != category:
            set_forecast_category(deal, category=category, note=note, by=deal.owner)
            written += 1
    for deal in open_deals[len(OVERRIDES) :]:
        update_opportunity(deal, by=deal.owner, data={"close_date": month.end + timedelta(days=30)})
        written += 1
    ctx.counts.update(quotas=len(ctx.rep_ids) * len(PERIODS))
    return written
