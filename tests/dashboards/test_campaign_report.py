"""The campaign report: every figure equals a recount from the rows, under each attribution model, at a fixed
query count."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from campaigns.models import CampaignMember
from campaigns.services import tag_lead_with_campaign
from dashboards.selectors.campaigns import ATTRIBUTION_MODELS, get_campaign_reports, list_campaign_reports
from leads.models import Lead
from opportunities.models import Stage
from tests.factories import CampaignFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

BASE = timezone.now() - timedelta(days=60)
CENT, RATIO = Decimal("0.01"), Decimal("0.0001")

lead_rows = st.lists(
    st.fixed_dictionaries(
        {
            "owner": st.sampled_from(["rep", "other", None]),
            "milestone": st.sampled_from(["none", "mql", "sql", "converted"]),
            "stage": st.sampled_from(["Prospecting", "Negotiation", "Closed Won", "Closed Lost"]),
            "amount": st.one_of(st.none(), st.integers(min_value=0, max_value=50_000)),
            # (campaign index, day joined, status): a lead joins each campaign at most once; days may tie.
            "touches": st.lists(
                st.tuples(
                    st.integers(0, 3), st.integers(0, 5), st.sampled_from(["sent", "responded", "attended", "opened"])
                ),
                max_size=4,
                unique_by=lambda touch: touch[0],
            ),
        }
    ),
    max_size=8,
)
costs = st.lists(st.one_of(st.none(), st.integers(0, 20_000)), min_size=4, max_size=4)


def _mark_converted(lead, deal):
    Lead.objects.filter(pk=lead.pk).update(
        status="converted", converted_at=timezone.now(), converted_opportunity=deal, converted_account=deal.account
    )


def _quantize(value: Fraction, places: Decimal = CENT) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


def _build(users, rows, cost_values):
    campaigns = [
        CampaignFactory(name=f"C{i}", actual_cost=None if cost is None else Decimal(cost))
        for i, cost in enumerate(cost_values)
    ]
    stages = {stage.name: stage for stage in Stage.objects.all()}
    now = timezone.now()
    leads = []
    for row in rows:
        lead = LeadFactory(owner=users[row["owner"]])
        stamps = {}
        if row["milestone"] in ("mql", "sql", "converted"):
            stamps["mql_at"] = now
        if row["milestone"] in ("sql", "converted"):
            stamps["qualified_at"] = now
        if row["milestone"] == "converted":
            deal = OpportunityFactory(owner=lead.owner, stage=stages[row["stage"]], amount=row["amount"])
            stamps.update(
                converted_at=now, status="converted", converted_opportunity=deal, converted_account=deal.account
            )
        Lead.objects.filter(pk=lead.pk).update(**stamps)
        for index, day, status in row["touches"]:
            CampaignMember.objects.create(
                campaign=campaigns[index], lead=lead, status=status, created_at=BASE + timedelta(days=day)
            )
        leads.append((lead, row))
    return campaigns, leads


def _recount(campaigns, leads, viewer_owner):
    """The report as a person would count it: lead by lead, membership by membership."""
    visible = [(lead, row) for lead, row in leads if viewer_owner is None or row["owner"] == viewer_owner]
    expected = {}
    for campaign in campaigns:
        expected[campaign.pk] = {
            "counts": defaultdict(int),
            "credit": {m: defaultdict(Fraction) for m in ATTRIBUTION_MODELS},
        }
    for lead, row in visible:
        members = list(CampaignMember.objects.filter(lead=lead).order_by("created_at", "id"))
        for member in members:
            counts = expected[member.campaign_id]["counts"]
            counts["members"] += 1
            counts["leads"] += 1
            counts["responses"] += member.has_responded
            counts["mqls"] += row["milestone"] in ("mql", "sql", "converted")
            counts["sqls"] += row["milestone"] in ("sql", "converted")
            counts["converted"] += row["milestone"] == "converted"
        if row["milestone"] != "converted" or not members:
            continue
        amount = Fraction(row["amount"] or 0)
        won, is_open = row["stage"] == "Closed Won", row["stage"] in ("Prospecting", "Negotiation")
        figures = {
            "opportunities": Fraction(1),
            "won_deals": Fraction(int(won)),
            "pipeline_amount": amount if is_open else Fraction(0),
            "won_revenue": amount if won else Fraction(0),
        }
        shares = {
            "first_touch": [(members[0].campaign_id, Fraction(1))],
            "last_touch": [(members[-1].campaign_id, Fraction(1))],
            "even_split": [(member.campaign_id, Fraction(1, len(members))) for member in members],
        }
        for model, credits in shares.items():
            for campaign_id, share in credits:
                for name, value in figures.items():
                    expected[campaign_id]["credit"][model][name] += value * share
    return expected


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=lead_rows, cost_values=costs, viewer=st.sampled_from(["admin", "rep"]))
def test_every_campaign_figure_equals_a_recount_under_each_attribution_model(
    admin, rep, other_rep, rows, cost_values, viewer
):
    with transaction.atomic():
        # given
        users = {"rep": rep, "other": other_rep, None: None}
        campaigns, leads = _build(users, rows, cost_values)
        expected = _recount(campaigns, leads, None if viewer == "admin" else "rep")
        # when
        reports = get_campaign_reports(admin if viewer == "admin" else rep, campaigns)
        # then
        for report in reports:
            want = expected[report.campaign.pk]
            counts = want["counts"]
            for name in ("members", "leads", "responses", "mqls", "sqls", "converted"):
                assert getattr(report, name) == counts[name], name
            cost = report.campaign.actual_cost
            assert report.cost_per_lead == (
                _quantize(Fraction(cost) / counts["leads"]) if cost is not None and counts["leads"] else None
            )
            assert report.cost_per_mql == (
                _quantize(Fraction(cost) / counts["mqls"]) if cost is not None and counts["mqls"] else None
            )
            for model in ATTRIBUTION_MODELS:
                credit, got = want["credit"][model], report.attribution[model]
                for name in ("opportunities", "won_deals", "pipeline_amount", "won_revenue"):
                    assert getattr(got, name) == _quantize(credit[name]), (model, name)
                won_deals, revenue = credit["won_deals"], credit["won_revenue"]
                assert got.cost_per_won_deal == (
                    _quantize(Fraction(cost) / won_deals) if cost is not None and won_deals else None
                )
                assert got.roi == (_quantize((revenue - Fraction(cost)) / Fraction(cost), RATIO) if cost else None), (
                    model
                )
        transaction.set_rollback(True)


def test_roi_is_won_revenue_less_cost_over_cost(admin):
    # given: a 2,000 campaign whose lead became a 10,000 won deal
    campaign = CampaignFactory(actual_cost=Decimal("2000.00"))
    lead = LeadFactory()
    tag_lead_with_campaign(lead.pk, campaign, by=None)
    deal = OpportunityFactory(owner=None, stage=Stage.objects.get(name="Closed Won"), amount="10000.00")
    _mark_converted(lead, deal)
    # when
    report = get_campaign_reports(admin, [campaign])[0]
    # then
    assert report.attribution["first_touch"].won_revenue == Decimal("10000.00")
    assert report.attribution["first_touch"].roi == Decimal("4.0000")
    assert report.attribution["even_split"].cost_per_won_deal == Decimal("2000.00")


def test_the_report_costs_the_same_queries_for_two_campaigns_or_ten(admin, django_assert_max_num_queries):
    def grow(n):
        for _ in range(n):
            campaign = CampaignFactory()
            lead = LeadFactory()
            tag_lead_with_campaign(lead.pk, campaign, by=None)
            deal = OpportunityFactory(owner=None, amount="500.00")
            _mark_converted(lead, deal)

    grow(2)
    with django_assert_max_num_queries(8) as small:
        assert len(list_campaign_reports(admin)) == 2
    grow(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(list_campaign_reports(admin)) == 10


@pytest.mark.usefixtures("fresh_throttles")
def test_the_report_api_credits_each_model_and_counts_only_what_the_caller_sees(api, admin, rep, other_rep):
    # given: the rep's lead touched A then B and became a won 9,000 deal; another rep's lead is in A too
    a, b = CampaignFactory(actual_cost=Decimal("1000.00")), CampaignFactory(actual_cost=None)
    lead = LeadFactory(owner=rep)
    CampaignMember.objects.create(campaign=a, lead=lead, created_at=BASE)
    CampaignMember.objects.create(campaign=b, lead=lead, created_at=BASE + timedelta(days=1))
    CampaignMember.objects.create(campaign=a, lead=LeadFactory(owner=other_rep), created_at=BASE)
    _mark_converted(lead, OpportunityFactory(owner=rep, stage=Stage.objects.get(name="Closed Won"), amount="9000.00"))
    # when
    body = api(admin).get(f"/api/v1/campaigns/{a.pk}/report/").json()
    # then
    assert body["members"] == 2 and body["cost_per_lead"] == "500.00"
    assert body["attribution"]["first_touch"]["won_revenue"] == "9000.00"
    assert body["attribution"]["first_touch"]["roi"] == "8.0000"
    assert body["attribution"]["last_touch"]["won_revenue"] == "0.00"
    assert body["attribution"]["even_split"]["won_revenue"] == "4500.00"
    assert body["attribution"]["even_split"]["opportunities"] == "0.50"
    only = api(rep).get(f"/api/v1/campaigns/{b.pk}/report/?attribution=last_touch").json()
    assert list(only["attribution"]) == ["last_touch"] and only["attribution"]["last_touch"]["roi"] is None
    assert api(rep).get(f"/api/v1/campaigns/{a.pk}/report/").json()["members"] == 1
    listed = api(admin).get("/api/v1/reports/campaigns/?attribution=even_split").json()["results"]
    assert {row["id"]: row["attribution"]["even_split"]["won_revenue"] for row in listed} == {
        a.pk: "4500.00",
        b.pk: "4500.00",
    }


@pytest.mark.usefixtures("fresh_throttles")
def test_the_report_api_refuses_bad_input_naming_it(api, admin):
    campaign = CampaignFactory()
    client = api(admin)
    bad = client.get(f"/api/v1/campaigns/{campaign.pk}/report/?attribution=linear")
    assert bad.status_code == 400 and "attribution" in bad.json()
    assert client.get("/api/v1/reports/campaigns/?atribution=first_touch").status_code == 400
    assert client.get("/api/v1/campaigns/999999/report/").status_code == 404
    assert api().get(f"/api/v1/campaigns/{campaign.pk}/report/").status_code == 401


def test_the_campaign_report_exports_csv_and_xlsx_under_the_chosen_model_counting_only_what_the_user_sees(
    client, rep, other_rep
):
    # given: the rep's lead touched "=Webinar" then B and became a won 9,000 deal; another rep's lead is in A too
    a = CampaignFactory(name="=Webinar", actual_cost=Decimal("1000.00"))
    b = CampaignFactory(name="Trade show", actual_cost=None)
    lead = LeadFactory(owner=rep)
    CampaignMember.objects.create(campaign=a, lead=lead, created_at=BASE)
    CampaignMember.objects.create(campaign=b, lead=lead, created_at=BASE + timedelta(days=1))
    CampaignMember.objects.create(campaign=a, lead=LeadFactory(owner=other_rep), created_at=BASE)
    _mark_converted(lead, OpportunityFactory(owner=rep, stage=Stage.objects.get(name="Closed Won"), amount="9000.00"))
    client.force_login(rep)
    # when
    page = client.get("/dashboard/campaigns/?attribution=last_touch").content.decode()
    csv_text = client.get("/dashboard/export/campaigns.csv?attribution=last_touch").content.decode()
    xlsx = client.get("/dashboard/export/campaigns.xlsx?attribution=first_touch")
    # then: the page links both; the rep's export counts one member of A; text never runs as a formula
    assert "/dashboard/export/campaigns.xlsx?attribution=last_touch" in page
    rows = {row[0]: row for row in csv.reader(io.StringIO(csv_text))}
    assert rows["'=Webinar"][1] == "1" and rows["Trade show"][8] == "9000.00"  # last touch: B won it
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    by_name = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_name["'=Webinar"][8] == Decimal("9000.00") and by_name["'=Webinar"][13] == Decimal("8.0000")
    assert client.get("/dashboard/export/campaigns.csv?attribution=everyone").status_code == 400
