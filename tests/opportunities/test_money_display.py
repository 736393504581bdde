"""Deal amounts read as money on every page that shows them; the dashboard's CSV stays raw with its units named."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead
from opportunities.models import Stage
from tests.factories import AccountFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def big_deal(rep):
    return OpportunityFactory(owner=rep, name="Big deal", amount="2008100.00", probability=10)


def _shown(content: str) -> str:
    """The page without the raw values that inline editing keeps in `data-value` for its input."""
    return re.sub(r' data-value="[^"]*"', "", content)


def test_the_opportunity_list_shows_the_amount_as_money(client, rep, big_deal):
    client.force_login(rep)
    content = _shown(client.get(reverse("opportunities:list")).content.decode())
    assert "$2,008,100" in content and "2008100" not in content


def test_the_opportunity_page_shows_the_exact_amount_as_money(client, rep, big_deal):
    client.force_login(rep)
    content = _shown(client.get(reverse("opportunities:detail", args=[big_deal.pk])).content.decode())
    assert "<span data-display>$2,008,100.00</span>" in content and "2008100" not in content


def test_the_pipeline_board_shows_card_and_column_totals_as_money(client, rep, big_deal):
    OpportunityFactory(owner=rep, amount="1000.00", probability=10)
    client.force_login(rep)
    content = client.get(reverse("opportunities:board")).content.decode()
    assert "<strong>$2,008,100</strong>" in content
    assert "<dd data-amount>$2,009,100</dd>" in content
    assert "<dd data-weighted>$200,910</dd>" in content  # 10% probability


def test_the_account_page_shows_its_deals_and_revenue_as_money(client, rep):
    account = AccountFactory(owner=rep, annual_revenue="12500000.00")
    OpportunityFactory(owner=rep, account=account, amount="2008100.00")
    client.force_login(rep)
    content = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert "$2,008,100" in content and "$12,500,000" in content


def test_another_reps_deal_stays_hidden_from_the_board(client, rep, other_rep, big_deal):
    client.force_login(other_rep)
    content = client.get(reverse("opportunities:board")).content.decode()
    assert "$2,008,100" not in content
    assert client.get(reverse("opportunities:detail", args=[big_deal.pk])).status_code == 404


def _won(owner, amount):
    now = timezone.now()
    account = AccountFactory(owner=owner)
    won = Stage.objects.get(name="Closed Won")
    deal = OpportunityFactory(owner=owner, account=account, stage=won, amount=amount, closed_at=now)
    return LeadFactory(
        owner=owner,
        status=Lead.Status.CONVERTED,
        mql_at=now,
        qualified_at=now,
        converted_at=now,
        converted_account=account,
        converted_opportunity=deal,
        source="web",
    )


@pytest.fixture
def dashboard_world(rep):
    _won(rep, "2008100.00")
    LeadFactory(owner=rep, source="web")
    LeadFactory(owner=rep, source="web")
    OpportunityFactory(owner=rep, amount="1500.00", probability=10)


def test_the_dashboard_shows_money_and_rates_formatted(client, manager, dashboard_world):
    client.force_login(manager)
    content = client.get(reverse("dashboards:dashboard")).content.decode()
    assert ">$2,008,100</td>" in content  # won amount by source and by owner
    assert ">33.3%</td>" in content  # 1 of 3 leads converted
    assert ">$1,500</td>" in content and ">$150</td>" in content  # open pipeline amount and weighted
    assert "deals, $2,008,100" in content  # won in the range
    assert "0.3333" not in content.replace('data-sort="0.3333"', "")
    assert "2008100.00" not in content.replace('data-sort="2008100.00"', "")


def test_the_csv_keeps_raw_numbers_and_names_their_units(client, manager, dashboard_world):
    client.force_login(manager)
    response = client.get(reverse("dashboards:export", args=["by_source"]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Source",
        "Leads",
        "MQLs",
        "SQLs",
        "Converted",
        "Won",
        "Conversion rate (0-1)",
        "Won amount (USD)",
    ]
    assert rows[1][-2:] == ["0.3333", "2008100.00"]
    pipeline = list(
        csv.reader(io.StringIO(client.get(reverse("dashboards:export", args=["pipeline"])).content.decode()))
    )
    assert pipeline[0] == ["Stage", "Opportunities", "Amount (USD)", "Weighted amount (USD)"]
    assert ["Prospecting", "1", "1500.00", "150.00"] in pipeline
    funnel = list(csv.reader(io.StringIO(client.get(reverse("dashboards:export", args=["funnel"])).content.decode())))
    assert funnel[0] == ["Stage", "Leads", "Step conversion (0-1)", "Overall conversion (0-1)"]


def test_the_funnel_api_keeps_its_fields_and_raw_values(api, manager, dashboard_world):
    body = api(manager).get("/api/v1/reports/funnel/").json()
    row = body["by_source"][0]
    assert row["conversion_rate"] == 0.3333
    assert row["won_amount"] == "2008100.00"
