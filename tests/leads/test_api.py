import pytest

from leads.models import Lead
from tests.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


def _collect(client, url):
    seen = []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        seen += [row["id"] for row in response.json()["results"]]
        url = response.json()["next"]
    return seen


def test_following_next_over_1000_leads_returns_each_once(rep, api):
    LeadFactory.create_batch(1000, owner=rep, email="")
    seen = _collect(api(rep), "/api/v1/leads/?page_size=200")
    assert sorted(seen) == sorted(Lead.objects.values_list("id", flat=True))
    assert len(seen) == len(set(seen)) == 1000


@pytest.mark.parametrize(
    "ordering", ["score", "-score", "last_name", "-last_name", "updated_at", "-created_at", "score,-last_name"]
)
def test_ordering_with_many_equal_values_pages_without_repeats_or_gaps(rep, api, ordering):
    for i in range(45):
        LeadFactory(owner=rep, score=i % 3 * 10, last_name=["Smith", "Jones"][i % 2], email="")
    seen = _collect(api(rep), f"/api/v1/leads/?ordering={ordering}&page_size=7")
    fields = ordering.split(",")
    tie_breaker = "-id" if fields[0].startswith("-") else "id"
    assert seen == list(Lead.objects.order_by(*fields, tie_breaker).values_list("id", flat=True))


def test_previous_link_walks_back_to_the_same_pages(rep, api):
    LeadFactory.create_batch(12, owner=rep, email="")
    client = api(rep)
    first = client.get("/api/v1/leads/?page_size=5").json()
    second = client.get(first["next"]).json()
    back = client.get(second["previous"]).json()
    assert [r["id"] for r in back["results"]] == [r["id"] for r in first["results"]]
    assert back["previous"] is None


def test_unknown_choice_filter_value_is_a_400_naming_the_field(rep, api):
    response = api(rep).get("/api/v1/leads/?status=bogus")
    assert response.status_code == 400
    assert "status" in response.json()


def test_lead_list_with_page_size_200_issues_a_fixed_number_of_queries(rep, api, django_assert_max_num_queries):
    from users.services import create_api_token

    LeadFactory.create_batch(210, owner=rep, email="")
    _, raw = create_api_token(user=rep, name="bi")
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    client.get("/api/v1/leads/?page_size=1")  # stamps last_used_at once
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/leads/?page_size=200")
    assert len(response.json()["results"]) == 200


def test_a_rep_sees_only_their_leads_and_gets_404_for_others(rep, other_rep, api):
    mine, theirs = LeadFactory(owner=rep), LeadFactory(owner=other_rep)
    client = api(rep)
    assert [r["id"] for r in client.get("/api/v1/leads/").json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/leads/{theirs.pk}/").status_code == 404
    assert client.patch(f"/api/v1/leads/{theirs.pk}/", {"city": "Oslo"}).status_code == 404
    assert client.delete(f"/api/v1/leads/{theirs.pk}/").status_code == 404


def test_a_rep_cannot_set_the_owner(rep, other_rep, team, api):
    other_rep.team = team
    other_rep.save()
    response = api(rep).post("/api/v1/leads/", {"last_name": "Doe", "owner": other_rep.pk})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Lead.objects.exists()


def test_a_manager_sees_the_team_and_may_set_the_owner(rep, manager, api):
    lead = LeadFactory(owner=rep)
    client = api(manager)
    assert client.get(f"/api/v1/leads/{lead.pk}/").status_code == 200
    response = client.post("/api/v1/leads/", {"last_name": "Doe", "owner": rep.pk})
    assert response.status_code == 201
    assert response.json()["owner"] == rep.pk
    unassigned = client.post("/api/v1/leads/", {"last_name": "Roe"}).json()
    assert unassigned["owner"] is None


def test_filters_narrow_the_list(rep, api):
    hot = LeadFactory(owner=rep, score=80, source="webinar", status="working")
    LeadFactory(owner=rep, score=10, source="web")
    client = api(rep)
    for query in ["score__gte=50", "source=webinar", "status=working", f"owner={rep.pk}&score__gte=80"]:
        assert [r["id"] for r in client.get(f"/api/v1/leads/?{query}").json()["results"]] == [hot.pk], query
    assert client.get("/api/v1/leads/?created_at__gte=2000-01-01").json()["results"]
    assert client.get("/api/v1/leads/?created_at__gte=2026-02-30").status_code == 400
    assert client.get(f"/api/v1/leads/?search={hot.email.upper()}").json()["results"][0]["id"] == hot.pk


def test_converted_lead_answers_409_on_update_and_delete(rep, api):
    from tests.factories import AccountFactory

    account = AccountFactory(owner=rep)
    lead = LeadFactory(owner=rep, status="converted", converted_account=account, converted_at="2026-01-01T00:00Z")
    client = api(rep)
    assert client.patch(f"/api/v1/leads/{lead.pk}/", {"city": "Oslo"}).json()["code"] == "lead_converted"
    assert client.put(f"/api/v1/leads/{lead.pk}/", {"email": "bad"}).status_code == 409
    assert client.delete(f"/api/v1/leads/{lead.pk}/").status_code == 409
    assert Lead.objects.filter(pk=lead.pk).exists()


def test_crud_round_trip(rep, api):
    client = api(rep)
    created = client.post("/api/v1/leads/", {"last_name": "Doe", "email": " Jane@Acme.TEST ", "source": "api"})
    assert created.status_code == 201, created.content
    lead_id = created.json()["id"]
    assert created.json()["email"] == "jane@acme.test"
    assert created.json()["owner"] == rep.pk
    assert client.patch(f"/api/v1/leads/{lead_id}/", {"status": "working"}).json()["status"] == "working"
    assert client.delete(f"/api/v1/leads/{lead_id}/").status_code == 204
    assert client.get(f"/api/v1/leads/{lead_id}/").status_code == 404
