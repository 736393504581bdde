"""The lead page's "Predicted to convert" block (`{% conversion_prediction lead %}`)."""

import pytest
from django.urls import reverse

from tests.factories import LeadFactory
from tests.scoring.conversion_models import active_model

pytestmark = pytest.mark.django_db

REASONS = [
    {"feature": "source", "impact": 12.0, "text": "Source: Webinar +12 pts"},
    {"feature": "seniority", "impact": 6.0, "text": "Title: senior (VP/Director/C-level) +6 pts"},
    {"feature": "email_domain", "impact": -4.0, "text": "Free email domain \u22124 pts"},
]


def _block(client, lead) -> str:
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    start = page.index("data-conversion-prediction")
    return page[start : page.index("</div>", start)]


def test_a_predicted_lead_shows_its_chance_and_three_reasons(client, rep):
    active_model()
    lead = LeadFactory(owner=rep, conversion_probability=0.342, conversion_reasons=REASONS)
    client.force_login(rep)

    block = _block(client, lead)

    assert "Predicted to convert: <span data-probability>34%</span>" in block
    assert block.count("data-reason") == 3
    assert "Source: Webinar +12 pts" in block and "Free email domain \u22124 pts" in block
    assert 'class="minus">Free email domain' in block


def test_without_a_model_the_page_says_how_many_more_closed_leads_are_needed(client, rep, settings):
    settings.FUNNEL_PREDICTIVE_MIN_CLOSED = 5
    LeadFactory.create_batch(2, status="unqualified", email="")
    lead = LeadFactory(owner=rep)
    client.force_login(rep)

    block = _block(client, lead)

    assert "No prediction yet" in block
    assert "3 more closed leads (converted or unqualified) needed, 5 in all" in block
    assert reverse("scoring:model") not in block  # reps can't open the model page


def test_with_enough_history_but_no_model_the_page_says_none_is_trained(client, manager, settings):
    settings.FUNNEL_PREDICTIVE_MIN_CLOSED = 2
    LeadFactory.create_batch(2, status="unqualified", email="")
    lead = LeadFactory(owner=None)
    client.force_login(manager)

    block = _block(client, lead)

    assert "No conversion model has been trained yet." in block
    assert reverse("scoring:model") in block


def test_an_unpredicted_lead_under_an_active_model_waits_for_the_next_run(client, rep):
    active_model()
    lead = LeadFactory(owner=rep)
    client.force_login(rep)

    assert "has not scored this lead yet" in _block(client, lead)


def test_a_closed_lead_is_not_predicted(client, rep):
    active_model()
    lead = LeadFactory(owner=rep, status="unqualified")
    client.force_login(rep)

    assert "Closed leads are not predicted: this one is unqualified." in _block(client, lead)


def test_another_reps_lead_page_stays_404(client, rep, other_rep):
    lead = LeadFactory(owner=other_rep, conversion_probability=0.5, conversion_reasons=REASONS)
    client.force_login(rep)

    assert client.get(reverse("leads:detail", args=[lead.pk])).status_code == 404


@pytest.mark.parametrize(
    ("probability", "shown"), [(0.342, "34%"), (0.9986, ">99%"), (0.001, "<1%"), (0.5, "50%"), (None, "")]
)
def test_a_chance_is_never_shown_as_a_flat_0_or_100_percent(probability, shown):
    from scoring.templatetags.scoring_tags import chance

    assert chance(probability) == shown
