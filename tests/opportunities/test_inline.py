"""Inline edits of a deal: amount, close date and stage (with undo; lost asks why), one JSON call each."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from activities.models import Event
from opportunities.models import Opportunity, OpportunityStageChange, Stage
from opportunities.services import create_opportunity
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def deal(rep):
    return create_opportunity(by=rep, account=AccountFactory(owner=rep), name="Globex rollout", amount="1000.00")


def inline(client, deal, field, value, **extra):
    body = json.dumps({"field": field, "value": value, **extra})
    return client.post(reverse("opportunities:inline", args=[deal.pk]), body, content_type="application/json")


def test_amount_and_close_date_are_saved_and_recorded_on_the_timeline(client, rep, deal):
    client.force_login(rep)

    amount = inline(client, deal, "amount", "2500.50")
    close = inline(client, deal, "close_date", "2031-03-04")

    assert (amount.status_code, amount.json()["value"]) == (200, "2500.50")
    assert close.json()["display"] == "Mar 4, 2031"
    deal.refresh_from_db()
    assert (deal.amount, deal.close_date) == (Decimal("2500.50"), datetime.date(2031, 3, 4))
    fields = set(Event.objects.filter(opportunity=deal, kind="field_changed").values_list("data__field", flat=True))
    assert fields == {"amount", "close_date"}


def test_bad_values_answer_400_naming_the_field(client, rep, deal):
    client.force_login(rep)

    for field, value in (
        ("amount", "lots"),
        ("amount", "-5"),
        ("close_date", "31/31/2031"),
        ("stage", "999999"),
        ("stage", 10**30),
        ("stage", {"pk": 1}),
        ("amount", ["1"]),
    ):
        response = inline(client, deal, field, value)
        assert (response.status_code, list(response.json())) == (400, [field])
    deal.refresh_from_db()
    assert (deal.amount, deal.close_date, deal.stage.name) == (Decimal("1000.00"), None, "Prospecting")


def test_a_stage_move_can_be_undone_and_lost_asks_why(client, rep, deal):
    client.force_login(rep)
    proposal, lost = Stage.objects.get(name="Proposal"), Stage.objects.get(name="Closed Lost")

    moved = inline(client, deal, "stage", proposal.pk).json()
    assert (moved["display"], moved["undo"]["value"]) == ("Proposal", Stage.objects.get(name="Prospecting").pk)
    inline(client, deal, "stage", moved["undo"]["value"])
    assert Opportunity.objects.get(pk=deal.pk).stage.name == "Prospecting"
    assert OpportunityStageChange.objects.filter(opportunity=deal).count() == 3

    refused = inline(client, deal, "stage", lost.pk)
    assert (refused.status_code, list(refused.json())) == (400, ["lost_reason"])
    assert inline(client, deal, "stage", lost.pk, reason="Price").status_code == 200
    assert Opportunity.objects.get(pk=deal.pk).lost_reason == "Price"
    spec = client.get(reverse("opportunities:inline", args=[deal.pk]), {"field": "stage"}).json()
    assert spec["needs_reason"] == [str(lost.pk)]


def test_another_rep_gets_404(client, deal, other_rep):
    client.force_login(other_rep)

    assert inline(client, deal, "amount", "1").status_code == 404
    assert Opportunity.objects.get(pk=deal.pk).amount == Decimal("1000.00")


def test_the_deal_page_and_list_mark_their_editable_values(client, rep, deal):
    client.force_login(rep)
    url = reverse("opportunities:inline", args=[deal.pk])

    page = client.get(reverse("opportunities:detail", args=[deal.pk])).content.decode()
    listing = client.get(reverse("opportunities:list")).content.decode()

    for field in ("amount", "stage", "close_date"):
        assert f'data-inline="{url}" data-field="{field}"' in page
        assert f'data-inline="{url}" data-field="{field}"' in listing
