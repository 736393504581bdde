"""The lead list's "Win %" column and "Win chance" filter (the predictive conversion score)."""

import pytest
from django.urls import reverse

from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_the_lead_list_shows_a_sortable_win_chance_column(client, rep):
    likely = LeadFactory(owner=rep, last_name="Likely", conversion_probability=0.8)
    unlikely = LeadFactory(owner=rep, last_name="Unlikely", conversion_probability=0.05)
    unknown = LeadFactory(owner=rep, last_name="Unknown")
    client.force_login(rep)

    response = client.get(reverse("leads:list"), {"cols": "conversion", "sort": "-conversion_probability"})

    assert [lead.pk for lead in response.context["leads"]] == [likely.pk, unlikely.pk, unknown.pk]
    page = response.content.decode()
    assert "Win %" in page and ">80%</span>" in page and ">5%</span>" in page


@pytest.mark.parametrize(
    ("chance", "expected"),
    [("likely", ["Likely"]), ("possible", ["Possible"]), ("unlikely", ["Unlikely"]), ("none", ["Unknown"])],
)
def test_the_win_chance_filter_narrows_the_list_to_a_band(client, rep, other_rep, chance, expected):
    LeadFactory(owner=rep, last_name="Likely", conversion_probability=0.5)
    LeadFactory(owner=rep, last_name="Possible", conversion_probability=0.2)
    LeadFactory(owner=rep, last_name="Unlikely", conversion_probability=0.19)
    LeadFactory(owner=rep, last_name="Unknown")
    LeadFactory(owner=other_rep, last_name="Likely elsewhere", conversion_probability=0.9)
    client.force_login(rep)

    response = client.get(reverse("leads:list"), {"chance": chance})

    assert [lead.last_name for lead in response.context["leads"]] == expected


def test_an_unknown_win_chance_is_ignored_not_an_error(client, rep):
    LeadFactory(owner=rep, conversion_probability=0.7)
    client.force_login(rep)

    response = client.get(reverse("leads:list"), {"chance": "certain"})

    assert response.status_code == 200
    assert len(response.context["leads"]) == 1
