"""The SDR-sourced pipeline: per SDR, the deals their leads became, scoped like the rest of the dashboard."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from dashboards.filters import FunnelFilters
from dashboards.selectors import get_sdr_sourced
from opportunities.models import Stage
from tests.factories import OpportunityFactory, UserFactory


def window():
    today = timezone.localdate()
    return FunnelFilters(created_after=today - timedelta(days=30), created_before=today)


def test_each_sdr_gets_their_open_pipeline_and_wins_in_the_range(team, manager, default_stages):
    sdr = UserFactory(username="sdr1", function="sdr", team=team)
    ae = UserFactory(username="ae1", function="ae", team=team)
    open_stage = Stage.objects.filter(is_closed=False).first()
    won = Stage.objects.get(is_won=True)
    OpportunityFactory(owner=ae, sourced_by=sdr, stage=open_stage, amount=Decimal("1000"))
    OpportunityFactory(owner=ae, sourced_by=sdr, stage=open_stage, amount=Decimal("500"))
    OpportunityFactory(owner=ae, sourced_by=sdr, stage=won, amount=Decimal("700"), closed_at=timezone.now())
    OpportunityFactory(owner=ae, stage=open_stage, amount=Decimal("9999"))  # not sourced by an SDR

    rows = get_sdr_sourced(manager, window())

    assert rows == [
        {
            "sdr": sdr.pk,
            "sdr_name": sdr.display_name,
            "deals": 3,
            "open_deals": 2,
            "amount": "1500.00",
            "won_deals": 1,
            "won_amount": "700.00",
        }
    ]


def test_a_rep_outside_the_team_sees_no_sourced_deals(team, other_rep, default_stages):
    sdr = UserFactory(username="sdr1", function="sdr", team=team)
    OpportunityFactory(owner=sdr, sourced_by=sdr, amount=Decimal("10"))

    assert get_sdr_sourced(other_rep, window()) == []
    assert get_sdr_sourced(sdr, window())[0]["deals"] == 1


def test_the_dashboard_page_shows_the_table(client, team, manager, default_stages):
    sdr = UserFactory(username="sdr1", function="sdr", name="Sam Dee", team=team)
    OpportunityFactory(owner=sdr, sourced_by=sdr, amount=Decimal("10"))
    client.force_login(manager)

    response = client.get("/dashboard/")

    assert response.status_code == 200
    assert "SDR-sourced pipeline" in response.text and "Sam Dee" in response.text
