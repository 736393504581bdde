"""The opportunity pages and the board: stage moves, totals, filters and edits."""

import pytest
from django.urls import reverse
from django.utils import timezone

from opportunities.models import Opportunity, Stage
from opportunities.services import create_opportunity
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def test_moving_a_deal_changes_stage_probability_and_history(client, rep):
    account = AccountFactory(owner=rep)
    deal = create_opportunity(by=rep, account=account, name="Big one", amount="5000.00")
    client.force_login(rep)
    stage = Stage.objects.get(name="Proposal")
    response = client.post(
        reverse("opportunities:move", args=[deal.pk]), {"stage": stage.pk, "next": "/opportunities/board/"}
    )
    assert response["Location"] == "/opportunities/board/"
    deal.refresh_from_db()
    assert (deal.stage, deal.probability) == (stage, 60)
    content = client.get(reverse("opportunities:detail", args=[deal.pk])).content.decode()
    assert "Prospecting → <strong>Proposal</strong>" in content


def test_closing_as_lost_needs_a_reason(client, rep):
    deal = create_opportunity(by=rep, account=AccountFactory(owner=rep), name="Long shot")
    lost = Stage.objects.get(name="Closed Lost")
    client.force_login(rep)
    response = client.post(reverse("opportunities:move", args=[deal.pk]), {"stage": lost.pk})
    assert response.status_code == 400
    assert "Say why the deal was lost." in response.content.decode()
    client.post(reverse("opportunities:move", args=[deal.pk]), {"stage": lost.pk, "lost_reason": "Went with a rival"})
    deal.refresh_from_db()
    assert deal.stage == lost and deal.lost_reason == "Went with a rival" and deal.closed_at is not None
    won = Stage.objects.get(name="Closed Won")
    deal2 = create_opportunity(by=rep, account=AccountFactory(owner=rep), name="Sure thing")
    client.post(reverse("opportunities:move", args=[deal2.pk]), {"stage": won.pk})
    deal2.refresh_from_db()
    assert deal2.stage == won


def test_the_board_totals_count_amount_and_weighted_amount_per_stage(client, rep, other_rep):
    account = AccountFactory(owner=rep)
    create_opportunity(by=rep, account=account, name="A", amount="1000.00")
    create_opportunity(by=rep, account=account, name="B", amount="3000.00")
    create_opportunity(by=rep, account=account, name="C", amount="2000.00", stage=Stage.objects.get(name="Proposal"))
    create_opportunity(by=other_rep, account=AccountFactory(owner=other_rep), name="D", amount="9999.00")
    client.force_login(rep)
    columns = {c.stage.name: c for c in client.get(reverse("opportunities:board")).context["columns"]}
    assert "Closed Won" not in columns
    assert (columns["Prospecting"].count, columns["Prospecting"].amount, columns["Prospecting"].weighted) == (
        2,
        4000,
        400,
    )
    assert (columns["Proposal"].count, columns["Proposal"].amount, columns["Proposal"].weighted) == (1, 2000, 1200)


def test_the_board_filters_by_owner_and_close_month(client, rep, manager):
    account = AccountFactory(owner=rep)
    today = timezone.localdate()
    create_opportunity(by=rep, account=account, name="ThisMonth", close_date=today)
    create_opportunity(by=rep, account=account, name="NextYear", close_date=today.replace(year=today.year + 1))
    create_opportunity(by=manager, account=AccountFactory(owner=manager), name="Bosses", close_date=today)
    client.force_login(manager)
    content = client.get(
        reverse("opportunities:board"), {"owner": rep.pk, "close_month": today.strftime("%Y-%m")}
    ).content.decode()
    assert "ThisMonth" in content and "NextYear" not in content and "Bosses" not in content
    assert client.get(reverse("opportunities:board"), {"close_month": "junk"}).status_code == 200


def test_editing_a_deal_saves_amount_and_close_date(client, rep):
    deal = create_opportunity(by=rep, account=AccountFactory(owner=rep), name="Edit me", amount="100.00")
    client.force_login(rep)
    response = client.post(
        reverse("opportunities:edit", args=[deal.pk]), {"name": "Edit me", "amount": "-5", "probability": "10"}
    )
    assert response.status_code == 400
    client.post(
        reverse("opportunities:edit", args=[deal.pk]),
        {"name": "Edit me", "amount": "2500", "probability": "30", "close_date": "2030-01-31"},
    )
    deal = Opportunity.objects.get(pk=deal.pk)
    assert (str(deal.amount), str(deal.close_date), deal.probability) == ("2500.00", "2030-01-31", 30)
