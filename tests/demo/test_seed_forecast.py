"""The demo forecast: quotas for the reps, last week's snapshot, overridden categories and slipped deals."""

import pytest
from django.utils import timezone

from dashboards.selectors.forecast import get_forecast, parse_forecast_filters
from demo.seeding.context import SeedContext
from demo.seeding.forecast import OVERRIDES, SLIPPED_DEALS, seed_forecast
from opportunities.models import ForecastSnapshot, Opportunity, Quota, Stage
from tests.factories import OpportunityFactory

pytestmark = pytest.mark.django_db


def test_demo_forecast_has_quotas_a_snapshot_overrides_and_slipped_deals(admin, rep):
    # given: six open deals of a rep closing this month
    today = timezone.localdate()
    for _ in range(6):
        OpportunityFactory(owner=rep, stage=Stage.objects.get(name="Prospecting"), close_date=today)
    ctx = SeedContext(leads=10, seed=7, out=lambda *_: None)
    ctx.rep_ids = [rep.pk]
    # when
    seed_forecast(ctx)
    # then
    assert Quota.objects.filter(user=rep).count() == 4
    assert ForecastSnapshot.objects.filter(user=rep).exists()
    assert Opportunity.objects.filter(forecast_overridden=True).count() == len(OVERRIDES)
    report = get_forecast(admin, parse_forecast_filters(admin, {}))
    assert len(report["slipped"]) == SLIPPED_DEALS
    assert next(r for r in report["reps"] if r["user_id"] == rep.pk)["quota"] is not None
