"""The predictive conversion score on the leads API: read-only fields, `ordering=conversion_probability`, filters."""

import pytest

from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]

REASONS = [
    {"feature": "source=webinar", "impact": 1.2, "text": "Source: webinar"},
    {"feature": "free_mail", "impact": -0.4, "text": "Free-mail address"},
]


def _collect(client, url):
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        seen += [row["id"] for row in response.json()["results"]]
        url = response.json()["next"]
    return seen


def test_a_lead_shows_its_probability_and_reasons(rep, api):
    lead = LeadFactory(owner=rep, conversion_probability=0.34, conversion_reasons=REASONS)

    body = api(rep).get(f"/api/v1/leads/{lead.pk}/").json()

    assert body["conversion_probability"] == 0.34
    assert body["conversion_reasons"] == REASONS


def test_a_lead_without_a_prediction_has_null_and_no_reasons(rep, api):
    lead = LeadFactory(owner=rep)

    body = api(rep).get(f"/api/v1/leads/{lead.pk}/").json()

    assert body["conversion_probability"] is None
    assert body["conversion_reasons"] == []


def test_the_prediction_is_read_only(rep, api):
    lead = LeadFactory(owner=rep, conversion_probability=0.2)

    response = api(rep).patch(
        f"/api/v1/leads/{lead.pk}/", {"conversion_probability": 0.99, "conversion_reasons": []}, format="json"
    )

    assert response.status_code == 200
    lead.refresh_from_db()
    assert lead.conversion_probability == 0.2


def test_another_reps_lead_stays_404_and_out_of_the_ordered_list(rep, other_rep, api):
    mine = LeadFactory(owner=rep, conversion_probability=0.1)
    theirs = LeadFactory(owner=other_rep, conversion_probability=0.9)

    client = api(rep)

    assert client.get(f"/api/v1/leads/{theirs.pk}/").status_code == 404
    assert _collect(client, "/api/v1/leads/?ordering=-conversion_probability") == [mine.pk]


@pytest.mark.parametrize("ordering", ["-conversion_probability", "conversion_probability"])
def test_ordering_by_probability_puts_unpredicted_leads_last_and_pages_each_once(rep, api, ordering):
    for i in range(23):
        LeadFactory(owner=rep, email="", conversion_probability=None if i % 3 == 0 else (i % 4) / 4)

    seen = _collect(api(rep), f"/api/v1/leads/?ordering={ordering}&page_size=4")

    descending = ordering.startswith("-")
    rows = list(Lead.objects.values_list("id", "conversion_probability"))
    predicted = sorted(
        (row for row in rows if row[1] is not None), key=lambda row: (row[1], row[0]), reverse=descending
    )
    unpredicted = sorted((row for row in rows if row[1] is None), key=lambda row: row[0], reverse=descending)
    assert seen == [row[0] for row in predicted + unpredicted]


def test_previous_link_walks_back_across_unpredicted_leads(rep, api):
    for i in range(9):
        LeadFactory(owner=rep, email="", conversion_probability=None if i < 5 else i / 10)
    client = api(rep)
    first = client.get("/api/v1/leads/?ordering=-conversion_probability&page_size=3").json()
    second = client.get(first["next"]).json()
    third = client.get(second["next"]).json()

    back = client.get(third["previous"]).json()

    assert [row["id"] for row in back["results"]] == [row["id"] for row in second["results"]]
    assert [row["conversion_probability"] for row in third["results"]] == [None, None, None]


def test_probability_filters_narrow_the_list(rep, api):
    low = LeadFactory(owner=rep, conversion_probability=0.1)
    mid = LeadFactory(owner=rep, conversion_probability=0.5)
    high = LeadFactory(owner=rep, conversion_probability=0.9)
    LeadFactory(owner=rep)
    client = api(rep)

    above = client.get("/api/v1/leads/?conversion_probability_min=0.5").json()["results"]
    between = client.get("/api/v1/leads/?conversion_probability_min=0.2&conversion_probability_max=0.6").json()
    below = client.get("/api/v1/leads/?conversion_probability_max=0.1").json()["results"]

    assert {row["id"] for row in above} == {mid.pk, high.pk}
    assert [row["id"] for row in between["results"]] == [mid.pk]
    assert [row["id"] for row in below] == [low.pk]


@pytest.mark.parametrize(
    "query",
    [
        "conversion_probability_min=1.5",
        "conversion_probability_min=-0.1",
        "conversion_probability_min=lots",
        "conversion_probability_max=inf",
        "conversion_probability_max=nan",
    ],
)
def test_a_probability_filter_outside_0_to_1_is_a_400_naming_it(rep, api, query):
    response = api(rep).get(f"/api/v1/leads/?{query}")

    assert response.status_code == 400
    assert query.split("=")[0] in response.json()


def test_a_forged_cursor_with_a_null_value_for_a_non_null_field_is_a_400(rep, api):
    import base64
    import json

    LeadFactory.create_batch(3, owner=rep, email="")
    token = base64.urlsafe_b64encode(json.dumps({"o": "-created_at,-id", "v": [None, 5], "r": 0}).encode()).decode()

    response = api(rep).get(f"/api/v1/leads/?cursor={token}")

    assert response.status_code == 400
    assert "cursor" in response.json()


def test_the_schema_documents_the_reason_shape_and_the_filters(api, rep):
    schema = api(rep).get("/api/v1/schema/?format=json").json()

    reason = schema["components"]["schemas"]["ConversionReason"]
    assert set(reason["properties"]) == {"feature", "impact", "text"}
    parameters = {p["name"] for p in schema["paths"]["/api/v1/leads/"]["get"]["parameters"]}
    assert {"conversion_probability_min", "conversion_probability_max", "ordering"} <= parameters
