import pytest

from accounts.models import Account
from activities.models import Activity
from contacts.models import Contact
from opportunities.models import Opportunity, Stage
from tests.factories import AccountFactory, ActivityFactory, ContactFactory, LeadFactory, OpportunityFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


def _make(kind, owner):
    if kind == "leads":
        return LeadFactory(owner=owner)
    if kind == "accounts":
        return AccountFactory(owner=owner)
    if kind == "contacts":
        return ContactFactory(owner=owner)
    if kind == "opportunities":
        return OpportunityFactory(owner=owner)
    return ActivityFactory(owner=owner, lead=LeadFactory(owner=owner))


RESOURCES = ["leads", "accounts", "contacts", "opportunities", "activities"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_the_other_rep_gets_404_on_every_record_endpoint(resource, rep, other_rep, api):
    record = _make(resource, rep)
    client = api(other_rep)
    url = f"/api/v1/{resource}/{record.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {}).status_code == 404
    assert client.put(url, {}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.get(f"/api/v1/{resource}/").json()["results"] == []
    assert api(rep).get(url).status_code == 200


@pytest.mark.parametrize("resource", RESOURCES)
def test_a_manager_sees_the_team_records(resource, rep, manager, other_rep, api):
    mine, outside = _make(resource, rep), _make(resource, other_rep)
    ids = [row["id"] for row in api(manager).get(f"/api/v1/{resource}/").json()["results"]]
    assert mine.pk in ids
    assert outside.pk not in ids


@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_callers_get_401(resource, api):
    assert api().get(f"/api/v1/{resource}/").status_code == 401


def test_account_contact_opportunity_crud_through_the_api(rep, api):
    client = api(rep)
    account = client.post("/api/v1/accounts/", {"name": "Acme", "website": "https://www.acme.test/x"})
    assert account.status_code == 201, account.content
    assert account.json()["domain"] == "acme.test"
    account_id = account.json()["id"]
    contact = client.post("/api/v1/contacts/", {"last_name": "Doe", "account": account_id, "email": "D@Acme.test"})
    assert contact.status_code == 201, contact.content
    assert contact.json()["email"] == "d@acme.test"
    won = Stage.objects.get(name="Closed Won")
    deal = client.post("/api/v1/opportunities/", {"name": "500 seats", "account": account_id, "amount": "12500.00"})
    assert deal.status_code == 201, deal.content
    assert deal.json()["stage"] == Stage.objects.get(name="Prospecting").pk
    assert deal.json()["is_closed"] is False
    moved = client.patch(f"/api/v1/opportunities/{deal.json()['id']}/", {"stage": won.pk})
    assert moved.json()["is_won"] is True
    assert moved.json()["probability"] == 100
    assert Opportunity.objects.get().stage_changes.count() == 2
    assert client.delete(f"/api/v1/accounts/{account_id}/").status_code == 409
    assert client.get(f"/api/v1/opportunities/?is_won=true&account={account_id}").json()["results"]
    assert client.get(f"/api/v1/contacts/?account={account_id}").json()["results"][0]["last_name"] == "Doe"


def test_related_ids_the_caller_cannot_see_are_rejected_like_missing_ones(rep, other_rep, api):
    foreign = AccountFactory(owner=other_rep)
    client = api(rep)
    response = client.post("/api/v1/contacts/", {"last_name": "Doe", "account": foreign.pk})
    assert response.status_code == 400
    assert "does not exist" in response.json()["account"][0]
    response = client.post("/api/v1/opportunities/", {"name": "x", "account": foreign.pk})
    assert "account" in response.json()
    assert not Contact.objects.exists()


def test_activities_attach_only_to_visible_records_and_filter_by_record(rep, other_rep, api):
    lead, foreign = LeadFactory(owner=rep), LeadFactory(owner=other_rep)
    client = api(rep)
    assert client.post("/api/v1/activities/", {"subject": "Call", "lead": foreign.pk}).status_code == 400
    assert client.post("/api/v1/activities/", {"subject": "Orphan"}).status_code == 400
    created = client.post("/api/v1/activities/", {"subject": "Call", "kind": "call", "lead": lead.pk})
    assert created.status_code == 201, created.content
    assert created.json()["owner"] == rep.pk
    assert [a["id"] for a in client.get(f"/api/v1/activities/?lead={lead.pk}").json()["results"]] == [
        created.json()["id"]
    ]
    assert client.get("/api/v1/activities/?kind=bogus").status_code == 400
    lead.refresh_from_db()
    assert lead.last_activity_at is not None
    assert client.delete(f"/api/v1/activities/{created.json()['id']}/").status_code == 204
    assert not Activity.objects.exists()


def test_a_rep_cannot_change_the_owner_of_accounts_contacts_or_opportunities(rep, team, api):
    from tests.factories import UserFactory

    teammate = UserFactory(username="rep3", team=team)
    client = api(rep)
    account = AccountFactory(owner=rep)
    assert client.patch(f"/api/v1/accounts/{account.pk}/", {"owner": teammate.pk}).status_code == 403
    assert Account.objects.get().owner == rep


def test_stages_are_read_by_all_and_written_by_admins(rep, admin, api):
    assert api(rep).get("/api/v1/stages/").json()["results"][0]["name"] == "Prospecting"
    body = {"name": "Demo", "order": 15, "probability": 15}
    assert api(rep).post("/api/v1/stages/", body).status_code == 403
    assert api(admin).post("/api/v1/stages/", body).status_code == 201
    used = OpportunityFactory(owner=rep).stage
    assert api(admin).delete(f"/api/v1/stages/{used.pk}/").status_code == 409
    assert api(admin).post("/api/v1/stages/", {"name": "Bad", "order": 99, "is_won": True}).status_code == 400


def test_users_and_teams_are_read_as_visible_and_written_by_admins(rep, other_rep, team, admin, api):
    ids = [u["id"] for u in api(rep).get("/api/v1/users/").json()["results"]]
    assert rep.pk in ids and team.manager_id in ids and other_rep.pk not in ids
    assert api(rep).get(f"/api/v1/users/{other_rep.pk}/").status_code == 404
    assert api(rep).post("/api/v1/teams/", {"name": "West"}).status_code == 403
    assert api(manager_of(team)).patch(f"/api/v1/users/{rep.pk}/", {"accepts_leads": False}).status_code == 403
    assert api(admin).post("/api/v1/teams/", {"name": "West"}).status_code == 201
    created = api(admin).post("/api/v1/users/", {"username": "rep9", "role": "rep", "password": "short"})
    assert "password" in created.json()
    created = api(admin).post("/api/v1/users/", {"username": "rep9", "role": "rep", "password": "a-long-passphrase-9"})
    assert created.status_code == 201, created.content
    assert "password" not in created.json()
    assert api(admin).delete(f"/api/v1/users/{created.json()['id']}/").status_code == 204
    assert api(admin).get(f"/api/v1/users/{created.json()['id']}/").json()["is_active"] is False


def manager_of(team):
    return team.manager


def test_an_integration_authenticates_loads_finds_updates_and_pages_through_leads(db):
    from rest_framework.test import APIClient

    from tests.factories import UserFactory

    UserFactory(username="loader", role="admin")
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": "loader", "password": "correct horse battery"}).json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token['token']}")
    rows = [{"last_name": f"Lead {i}", "email": f"l{i}@corp.test", "source": "webinar"} for i in range(120)]
    loaded = client.post("/api/v1/leads/bulk/", {"leads": rows}, format="json", HTTP_IDEMPOTENCY_KEY="load-1").json()
    assert (loaded["created"], loaded["errors"]) == (120, [])
    found = client.get("/api/v1/leads/?search=L7@CORP.TEST").json()["results"]
    assert [lead["email"] for lead in found] == ["l7@corp.test"]
    updated = client.patch(f"/api/v1/leads/{found[0]['id']}/", {"status": "qualified"}, format="json").json()
    assert updated["status"] == "qualified" and updated["qualified_at"]
    url, seen = "/api/v1/leads/?source=webinar&page_size=50", []
    while url:
        page = client.get(url).json()
        seen += [lead["id"] for lead in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 120
