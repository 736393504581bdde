"""The lead's BANT answers carry over to the opportunity at conversion and show on the opportunity page."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from conversion.services import convert_lead
from tests import factories

pytestmark = pytest.mark.django_db


def bant_lead(owner, **fields):
    values = {
        "budget_amount": Decimal("48000.00"),
        "budget_confirmed": True,
        "authority": "CFO",
        "need": "Forecasts",
        "timeline_date": timezone.localdate() + timedelta(days=40),
    }
    return factories.qualified_lead(owner, website="", **{**values, **fields})


def test_budget_and_timeline_become_the_opportunitys_amount_and_close_date(rep):
    lead = bant_lead(rep)

    opportunity = convert_lead(lead, by=rep).opportunity

    assert opportunity.amount == Decimal("48000.00")
    assert opportunity.close_date == lead.timeline_date


def test_what_the_converting_user_gives_wins_over_the_answers(rep):
    lead = bant_lead(rep)
    close = timezone.localdate() + timedelta(days=7)

    opportunity = convert_lead(lead, by=rep, opportunity={"amount": Decimal("0"), "close_date": close}).opportunity

    assert (opportunity.amount, opportunity.close_date) == (Decimal("0"), close)


def test_a_lead_without_answers_or_with_a_past_timeline_gets_the_defaults(rep):
    past = bant_lead(rep, budget_amount=None, timeline_date=timezone.localdate() - timedelta(days=3))

    opportunity = convert_lead(past, by=rep).opportunity

    assert opportunity.amount is None
    assert opportunity.close_date > timezone.localdate()


def test_the_opportunity_page_shows_the_source_leads_checklist_to_those_who_see_the_lead(client, rep, other_rep):
    lead = bant_lead(rep, grade="A")
    opportunity = convert_lead(lead, by=rep).opportunity
    client.force_login(rep)

    page = client.get(reverse("opportunities:detail", args=[opportunity.pk])).content.decode()

    assert "Qualification from the lead" in page
    assert "48000.00 · confirmed" in page and "CFO" in page and "Forecasts" in page
    client.force_login(other_rep)
    assert client.get(reverse("opportunities:detail", args=[opportunity.pk])).status_code == 404
