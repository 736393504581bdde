"""The campaign report: what each campaign brought in, and what it returned for what it cost.

Definitions (the campaign page, `/dashboard/campaigns/` and `GET /api/v1/campaigns/{id}/report/` agree):

- The figures count the members the viewer can see (`CampaignMember.objects.visible_to`: a member lead or contact
  the viewer may see), so an admin sees the whole campaign and a manager their teams' share of it. Costs are the
  campaign's own, whole.
- **members**: leads and contacts; **leads**: lead members; **responses**: members whose status is a response
  (`CampaignMember.RESPONDED_STATUSES`); **mqls** / **sqls** / **converted**: lead members with `mql_at` /
  `qualified_at` / `converted_at`.
- An opportunity comes from a campaign through the converted lead (`lead.converted_opportunity`). Its credit goes
  to the lead's campaigns by an **attribution model**: `first_touch` (all to the lead's earliest membership),
  `last_touch` (all to the latest; ties by the order they were added), `even_split` (1/n to each of the lead's
  n campaigns). Under each model: **opportunities** (created), **won_deals**, **pipeline_amount** (open
  opportunities' amounts), **won_revenue** (won opportunities' amounts), **cost_per_won_deal**, and
  **roi** = (won revenue - actual cost) / actual cost. A lead's touches count all its campaigns; only its
  visibility to the viewer decides whether it counts at all.
- cost_per_lead = actual cost / leads, cost_per_mql = actual cost / MQLs; a ratio with nothing to divide by (no
  cost, no leads) is None. Money is rounded to cents, ratios to 4 places; even-split sums are exact fractions
  until then.

A report over any number of campaigns costs the same five queries: the member counts (one GROUP BY) and one
GROUP BY per attribution model (even split groups by the lead's campaign count, then divides).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum

from campaigns.models import Campaign, CampaignMember

FIRST_TOUCH, LAST_TOUCH, EVEN_SPLIT = "first_touch", "last_touch", "even_split"
ATTRIBUTION_MODELS = (FIRST_TOUCH, LAST_TOUCH, EVEN_SPLIT)
ATTRIBUTION_LABELS = {FIRST_TOUCH: "First touch", LAST_TOUCH: "Last touch", EVEN_SPLIT: "Even split"}
CENT = Decimal("0.01")
RATIO = Decimal("0.0001")


@dataclass
class Attributed:
    """The opportunity and revenue figures credited to a campaign under one attribution model."""

    opportunities: Decimal = Decimal(0)
    won_deals: Decimal = Decimal(0)
    pipeline_amount: Decimal = Decimal(0)
    won_revenue: Decimal = Decimal(0)
    cost_per_won_deal: Decimal | None = None
    roi: Decimal | None = None


@dataclass
class CampaignReport:
    campaign: Campaign
    members: int = 0
    leads: int = 0
    responses: int = 0
    mqls: int = 0
    sqls: int = 0
    converted: int = 0
    cost_per_lead: Decimal | None = None
    cost_per_mql: Decimal | None = None
    attribution: dict[str, Attributed] = field(default_factory=dict)


def _divide(amount: Decimal | Fraction | None, by, places: Decimal = CENT) -> Decimal | None:
    if amount is None or not by:
        return None
    value = Fraction(amount) / Fraction(by)
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


def _exact(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


def _credit_columns() -> dict:
    opportunity = "lead__converted_opportunity"
    won = Q(**{f"{opportunity}__stage__is_won": True})
    is_open = Q(**{f"{opportunity}__stage__is_closed": False})
    return {
        "opportunities": Count("id"),
        "won_deals": Count("id", filter=won),
        "pipeline_amount": Sum(f"{opportunity}__amount", filter=is_open),
        "won_revenue": Sum(f"{opportunity}__amount", filter=won),
    }


def _credited(members: QuerySet, model: str) -> dict[int, dict[str, Fraction]]:
    """Sum the credit each campaign gets under `model` from its members' converted leads: one GROUP BY."""
    members = members.filter(lead__converted_opportunity__isnull=False)
    touches = CampaignMember.objects.filter(lead=OuterRef("lead"))
    if model == EVEN_SPLIT:
        count = touches.order_by().values("lead").annotate(n=Count("id")).values("n")
        rows = (
            members.annotate(touches=Subquery(count))
            .values("campaign_id", "touches")
            .annotate(**_credit_columns())
            .order_by()
        )
    else:
        order = ("created_at", "id") if model == FIRST_TOUCH else ("-created_at", "-id")
        rows = (
            members.filter(pk=Subquery(touches.order_by(*order).values("pk")[:1]))
            .values("campaign_id")
            .annotate(**_credit_columns())
            .order_by()
        )
    credit: dict[int, dict[str, Fraction]] = defaultdict(lambda: defaultdict(Fraction))
    for row in rows:
        share = Fraction(1, row.get("touches") or 1)
        for name in ("opportunities", "won_deals", "pipeline_amount", "won_revenue"):
            credit[row["campaign_id"]][name] += Fraction(row[name] or 0) * share
    return credit


def get_campaign_reports(user, campaigns: list[Campaign], *, models=ATTRIBUTION_MODELS) -> list[CampaignReport]:
    """The report of each of `campaigns` as `user` sees it (definitions above), in the order given."""
    reports = {campaign.pk: CampaignReport(campaign) for campaign in campaigns}
    if not reports:
        return []
    members = CampaignMember.objects.visible_to(user).filter(campaign_id__in=list(reports))
    counts = (
        members.values("campaign_id")
        .annotate(
            members=Count("id"),
            leads=Count("lead_id"),
            responses=Count("id", filter=Q(status__in=CampaignMember.RESPONDED_STATUSES)),
            mqls=Count("id", filter=Q(lead__mql_at__isnull=False)),
            sqls=Count("id", filter=Q(lead__qualified_at__isnull=False)),
            converted=Count("id", filter=Q(lead__converted_at__isnull=False)),
        )
        .order_by()
    )
    for row in counts:
        report = reports[row.pop("campaign_id")]
        for name, value in row.items():
            setattr(report, name, value)
    credits = {model: _credited(members, model) for model in models}
    for report in reports.values():
        cost = report.campaign.actual_cost
        report.cost_per_lead = _divide(cost, report.leads)
        report.cost_per_mql = _divide(cost, report.mqls)
        for model in models:
            credit = credits[model].get(report.campaign.pk, {})
            won_deals = credit.get("won_deals", Fraction(0))
            won_revenue = credit.get("won_revenue", Fraction(0))
            report.attribution[model] = Attributed(
                opportunities=_exact(credit.get("opportunities", Fraction(0))),
                won_deals=_exact(won_deals),
                pipeline_amount=_exact(credit.get("pipeline_amount", Fraction(0))),
                won_revenue=_exact(won_revenue),
                cost_per_won_deal=_divide(cost, won_deals),
                roi=_divide(won_revenue - Fraction(cost), cost, RATIO) if cost else None,
            )
    return list(reports.values())


def get_campaign_report(user, campaign: Campaign, *, models=ATTRIBUTION_MODELS) -> CampaignReport:
    """The report of one campaign as `user` sees it."""
    return get_campaign_reports(user, [campaign], models=models)[0]


def list_campaign_reports(user, *, models=ATTRIBUTION_MODELS) -> list[CampaignReport]:
    """The report of every campaign `user` can see, newest first: six queries whatever the number of campaigns."""
    campaigns = list(Campaign.objects.visible_to(user).select_related("parent").order_by("-created_at", "-id"))
    return get_campaign_reports(user, campaigns, models=models)
