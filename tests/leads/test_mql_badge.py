"""The MQL badge shows only while a lead's score holds the threshold; the milestone stays as history."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

REACHED = timezone.make_aware(datetime.datetime(2025, 3, 3, 10, 0))
BADGE = "data-mql-badge"


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.FUNNEL_MQL_THRESHOLD = 50
    return 50


def page(client, user, name, *args) -> str:
    client.force_login(user)
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    return response.content.decode()


def test_a_lead_whose_score_decayed_shows_mql_since_but_no_badge(client, rep):
    # given: it reached MQL in March, and its score has decayed to 0 since
    lead = LeadFactory(owner=rep, last_name="Decayed", score=0, mql_at=REACHED)

    # when
    detail = page(client, rep, "leads:detail", lead.pk)
    listing = page(client, rep, "leads:list")

    # then
    assert "MQL since" in detail and "Mar 3, 2025" in detail
    assert "score now below 50" in detail
    assert BADGE not in detail
    assert "Decayed" in listing and BADGE not in listing
    # the funnel still counts the milestone
    assert lead.is_mql and not lead.holds_mql


@pytest.mark.parametrize("score", [50, 90])
def test_a_lead_at_or_above_the_threshold_shows_the_badge_and_says_what_it_means(client, rep, score):
    # given
    lead = LeadFactory(owner=rep, last_name="Holding", score=score, mql_at=REACHED)

    # when
    detail = page(client, rep, "leads:detail", lead.pk)
    listing = page(client, rep, "leads:list")

    # then
    assert detail.count(BADGE) == 1 and listing.count(BADGE) == 1
    assert "at or above the MQL threshold of 50" in detail
    assert "Marketing-qualified now: score at or above 50, MQL since Mar 3, 2025" in listing
    assert "MQL since" in detail and "score now below" not in detail


def test_a_lead_one_point_below_the_threshold_shows_no_badge(client, rep):
    lead = LeadFactory(owner=rep, score=49, mql_at=REACHED)

    assert BADGE not in page(client, rep, "leads:detail", lead.pk)
    assert BADGE not in page(client, rep, "leads:list")


def test_a_lead_that_never_reached_mql_shows_neither(client, rep):
    lead = LeadFactory(owner=rep, score=10, mql_at=None)

    detail = page(client, rep, "leads:detail", lead.pk)

    assert BADGE not in detail and "MQL since" not in detail


def test_the_mql_filter_still_means_reached_mql_ever(client, rep):
    # given
    decayed = LeadFactory(owner=rep, score=0, mql_at=REACHED)
    holding = LeadFactory(owner=rep, score=70, mql_at=REACHED)
    never = LeadFactory(owner=rep, score=0, mql_at=None)
    client.force_login(rep)

    # when
    reached = client.get(reverse("leads:list"), {"mql": "yes"})
    not_reached = client.get(reverse("leads:list"), {"mql": "no"})

    # then
    assert {lead.pk for lead in reached.context["leads"]} == {decayed.pk, holding.pk}
    assert {lead.pk for lead in not_reached.context["leads"]} == {never.pk}
    assert "Reached MQL" in reached.content.decode()
