"""Demo campaigns of every type with budgets and actual costs, one parent with children, and their members.

Members are drawn from the demo's leads, converted ones included (their won deals give the campaigns a real ROI),
each lead in up to three campaigns joined at different times, so first touch, last touch and even split differ.
Written with one bulk insert, like the rest of the demo.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from campaigns.models import Campaign, CampaignMember
from leads.models import Lead

if TYPE_CHECKING:
    from demo.seeding.context import SeedContext

PARENT = ("2026 Product launch", "event", "in_progress", 60_000, 52_500)
# (name, type, status, budgeted cost, actual cost), each under the launch.
CAMPAIGNS = [
    ("Launch webinar series", "webinar", "completed", 8_000, 7_200),
    ("SaaS Connect trade show", "trade_show", "completed", 30_000, 34_800),
    ("Spring newsletter", "email", "completed", 1_500, 1_150),
    ("LinkedIn lead ads", "paid_social", "in_progress", 12_000, 9_400),
    ("Buyer's guide ebook", "content", "in_progress", 4_000, 3_100),
    ("Customer roundtable", "other", "planned", 6_000, 0),
]
STATUSES = ["sent", "sent", "opened", "clicked", "responded", "registered", "attended", "no_show"]
MAX_MEMBERS_PER_LEAD = 3


def seed_campaigns(ctx: SeedContext) -> int:
    """Create the demo campaigns (replacing earlier demo ones) and tag a share of the leads; return the rows."""
    names = [PARENT[0], *(row[0] for row in CAMPAIGNS)]
    Campaign.objects.filter(name__in=names, parent__isnull=False).delete()
    Campaign.objects.filter(name__in=names).delete()
    today = timezone.localdate()

    def make(row, parent=None) -> Campaign:
        name, kind, status, budget, actual = row
        return Campaign.objects.create(
            name=name,
            type=kind,
            status=status,
            budgeted_cost=Decimal(budget),
            actual_cost=Decimal(actual) if actual else None,
            parent=parent,
            start_date=today - timedelta(days=120),
            end_date=today if status == "completed" else today + timedelta(days=30),
            description=f"Demo {kind.replace('_', ' ')} campaign.",
        )

    parent = make(PARENT)
    campaigns = [parent, *(make(row, parent) for row in CAMPAIGNS[:-1])]
    make(CAMPAIGNS[-1], parent)  # planned: no members yet
    rng = ctx.random
    members = []
    # Converted leads first: every one of them was touched, so the won revenue has campaigns to credit.
    leads = Lead.objects.order_by("-converted_opportunity_id", "pk").values_list(
        "pk", "created_at", "converted_opportunity_id"
    )
    for pk, created_at, opportunity_id in leads.iterator(chunk_size=5000):
        if opportunity_id is None and rng.random() > 0.45:
            continue
        picked = rng.sample(campaigns, rng.randint(1, MAX_MEMBERS_PER_LEAD))
        for position, campaign in enumerate(picked):
            status = rng.choice(STATUSES)
            joined = created_at - timedelta(days=rng.randint(1, 20)) + timedelta(days=position * 7)
            members.append(
                CampaignMember(
                    campaign=campaign,
                    lead_id=pk,
                    status=status,
                    created_at=joined,
                    first_responded_at=joined if status in CampaignMember.RESPONDED_STATUSES else None,
                )
            )
    CampaignMember.objects.bulk_create(members, batch_size=5000)
    ctx.counts["campaign members"] = len(members)
    return len(campaigns) + 1 + len(members)
