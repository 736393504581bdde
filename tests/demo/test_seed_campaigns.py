"""The demo campaigns: several types with costs, a parent, members across leads, converted ones included."""

from decimal import Decimal

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignMember
from dashboards.selectors.campaigns import list_campaign_reports
from demo.seeding.campaigns import seed_campaigns
from demo.seeding.context import SeedContext
from leads.models import Lead
from opportunities.models import Stage
from tests.factories import LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_demo_campaigns_have_types_costs_a_parent_and_members_with_revenue(admin):
    # given: open leads and one converted into a won deal
    leads = [LeadFactory() for _ in range(10)]
    deal = OpportunityFactory(owner=None, stage=Stage.objects.get(name="Closed Won"), amount="50000.00")
    Lead.objects.filter(pk=leads[0].pk).update(
        status="converted", converted_at=timezone.now(), converted_opportunity=deal, converted_account=deal.account
    )
    ctx = SeedContext(leads=10, seed=7, out=lambda *_: None)
    # when
    seed_campaigns(ctx)
    seed_campaigns(ctx)  # seeding again replaces the demo campaigns
    # then
    assert Campaign.objects.count() == 7
    assert len(set(Campaign.objects.values_list("type", flat=True))) >= 5
    assert Campaign.objects.filter(parent__isnull=False).count() == 6
    assert CampaignMember.objects.filter(lead=leads[0]).exists()
    revenue = [r.attribution["first_touch"].won_revenue for r in list_campaign_reports(admin)]
    assert sum(revenue) == Decimal("50000.00")
