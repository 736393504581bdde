"""/api/v1/views/: saved views over the API, with the house's 404 and 403 rules."""

import pytest
from django.urls import reverse

from workspace.models import SavedView
from workspace.services import create_saved_view

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]

LIST = "/api/v1/views/"


def test_a_rep_creates_lists_reads_updates_and_deletes_their_view(api, rep):
    client = api(rep)
    response = client.post(LIST, {"list_key": "leads", "name": "Hot", "query": "rating=hot&sort=-score"}, format="json")
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["owner"] == rep.pk and body["url"] == "/leads/?rating=hot&sort=-score"
    assert body["shared_with_team"] is None
    pk = body["id"]
    assert [row["id"] for row in client.get(LIST).json()["results"]] == [pk]
    assert client.get(f"{LIST}{pk}/").json()["name"] == "Hot"
    response = client.patch(f"{LIST}{pk}/", {"name": "Hottest", "list_key": "accounts"}, format="json")
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["list_key"]) == ("Hottest", "leads")
    assert client.delete(f"{LIST}{pk}/").status_code == 204
    assert not SavedView.objects.exists()


def test_another_rep_gets_404_on_a_private_view(api, rep, other_rep):
    view = create_saved_view(by=rep, list_key="leads", name="Mine")
    client = api(other_rep)
    assert client.get(LIST).json()["results"] == []
    assert client.get(f"{LIST}{view.pk}/").status_code == 404
    assert client.patch(f"{LIST}{view.pk}/", {"name": "Stolen"}, format="json").status_code == 404
    assert client.delete(f"{LIST}{view.pk}/").status_code == 404
    view.refresh_from_db()
    assert view.name == "Mine"


def test_a_team_shared_view_is_readable_by_the_team_but_only_its_owner_edits_it(api, rep, other_rep, manager, team):
    client = api(manager)
    response = client.post(LIST, {"list_key": "leads", "name": "Team", "shared_with_team": team.pk}, format="json")
    assert response.status_code == 201, response.data
    pk = response.json()["id"]
    member = api(rep)
    assert member.get(f"{LIST}{pk}/").status_code == 200
    response = member.patch(f"{LIST}{pk}/", {"name": "Mine"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "saved_view_not_owned"
    assert member.delete(f"{LIST}{pk}/").status_code == 403
    assert api(other_rep).get(f"{LIST}{pk}/").status_code == 404
    assert SavedView.objects.get(pk=pk).name == "Team"


def test_a_rep_sharing_with_their_team_gets_403_naming_the_rule(api, rep, team):
    response = api(rep).post(LIST, {"list_key": "leads", "name": "x", "shared_with_team": team.pk}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "saved_view_share_forbidden"
    assert not SavedView.objects.exists()


def test_bad_input_is_a_400_naming_the_field(api, rep, team):
    client = api(rep)
    create_saved_view(by=rep, list_key="leads", name="Hot")
    for payload, field in [
        ({"list_key": "users", "name": "x"}, "list_key"),
        ({"list_key": "leads"}, "name"),
        ({"list_key": "leads", "name": "HOT"}, "name"),
        ({"list_key": "leads", "name": "y", "query": "a" * 2001}, "query"),
        ({"list_key": "leads", "name": "z", "shared_with_team": 999999}, "shared_with_team"),
    ]:
        response = client.post(LIST, payload, format="json")
        assert response.status_code == 400, payload
        assert field in response.json(), (payload, response.json())
    assert SavedView.objects.count() == 1


def test_the_list_filters_by_list_and_costs_fixed_queries(api, rep, django_assert_max_num_queries):
    for n in range(12):
        create_saved_view(by=rep, list_key="leads" if n % 2 else "accounts", name=f"View {n}")
    client = api(rep)
    with django_assert_max_num_queries(2):
        response = client.get(LIST, {"list_key": "accounts"})
    assert len(response.json()["results"]) == 6
    assert client.get(LIST, {"list_key": "nope"}).status_code == 400
    assert client.get(LIST, {"bogus": "1"}).status_code == 400


def test_anonymous_callers_get_401(api):
    assert api().get(LIST).status_code == 401


def test_the_schema_describes_the_views_endpoints(api, rep):
    schema = api(rep).get(reverse("api:schema"), {"format": "json"}).json()
    assert "/api/v1/views/" in schema["paths"] and "/api/v1/views/{id}/" in schema["paths"]
    assert set(schema["paths"]["/api/v1/views/{id}/"]) >= {"get", "put", "patch", "delete"}
