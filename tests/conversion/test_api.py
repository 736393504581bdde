"""`POST /api/v1/leads/{id}/convert/` and `GET /api/v1/leads/{id}/matches/` as in API.md."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Account
from accounts.services import create_account
from contacts.models import Contact
from contacts.services import create_contact
from conversion.services import convert_lead
from leads.models import Lead
from opportunities.models import Opportunity, Stage
from tests.factories import qualified_lead

pytestmark = pytest.mark.django_db


def url(lead, action="convert"):
    return f"/api/v1/leads/{lead.pk}/{action}/"


def counts():
    return (Account.objects.count(), Contact.objects.count(), Opportunity.objects.count())


def test_converting_answers_201_with_the_lead_and_the_records_it_became(api, rep):
    lead = qualified_lead(rep)

    response = api(rep).post(url(lead), {}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"lead", "account", "account_created", "contact", "contact_created", "opportunity"}
    assert body["lead"]["id"] == lead.pk and body["lead"]["status"] == "converted"
    assert body["lead"]["converted_account"] == body["account"]["id"]
    assert body["lead"]["converted_contact"] == body["contact"]["id"]
    assert body["lead"]["converted_opportunity"] == body["opportunity"]["id"]
    assert body["account"]["name"] == "Acme" and body["account_created"] is True
    assert body["contact"]["email"] == "ada@acme.example" and body["contact_created"] is True
    assert body["opportunity"]["name"] == "Acme \u2013 Ada Lovelace"


def test_converting_into_an_existing_account_and_contact_reports_them_as_not_created(api, rep):
    account = create_account(by=rep, name="Acme Corp", website="acme.example")
    contact = create_contact(by=rep, account=account, last_name="Lovelace", email="ada@acme.example")
    lead = qualified_lead(rep)

    response = api(rep).post(
        url(lead), {"account": account.pk, "contact": contact.pk, "create_opportunity": False}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["account"]["id"], body["account_created"]) == (account.pk, False)
    assert (body["contact"]["id"], body["contact_created"]) == (contact.pk, False)
    assert body["opportunity"] is None


def test_opportunity_overrides_are_applied(api, rep):
    stage = Stage.objects.get(name="Qualification")
    lead = qualified_lead(rep)

    response = api(rep).post(
        url(lead),
        {
            "account": "new",
            "contact": "new",
            "opportunity": {
                "name": "Acme 500 seats",
                "amount": "12500.00",
                "close_date": "2031-01-31",
                "stage": stage.pk,
            },
        },
        format="json",
    )

    assert response.status_code == 201
    opportunity = response.json()["opportunity"]
    assert (opportunity["name"], opportunity["amount"], opportunity["close_date"], opportunity["stage"]) == (
        "Acme 500 seats",
        "12500.00",
        "2031-01-31",
        stage.pk,
    )


def test_a_second_conversion_answers_409_lead_already_converted(api, rep):
    lead = qualified_lead(rep)
    assert api(rep).post(url(lead), {}, format="json").status_code == 201

    response = api(rep).post(url(lead), {}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "lead_already_converted"
    assert counts() == (1, 1, 1)


def test_an_unqualified_lead_answers_400_lead_not_convertible(api, rep):
    lead = qualified_lead(rep, status=Lead.Status.UNQUALIFIED)

    response = api(rep).post(url(lead), {}, format="json")

    assert response.status_code == 400
    assert response.json()["code"] == "lead_not_convertible"


def test_a_lead_without_company_converts_into_a_person_account(api, rep):
    lead = qualified_lead(rep, company="", email="ada@gmail.com")

    response = api(rep).post(url(lead), {}, format="json")

    assert response.status_code == 201, response.content
    account = Account.objects.get(pk=response.json()["account"]["id"])
    assert account.is_person_account and account.name == lead.full_name
    assert counts() == (1, 1, 1)


def test_another_rep_gets_404_on_convert_and_matches(api, rep, other_rep):
    lead = qualified_lead(rep)

    assert api(other_rep).post(url(lead), {}, format="json").status_code == 404
    assert api(other_rep).get(url(lead, "matches")).status_code == 404
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.QUALIFIED


def test_anonymous_callers_get_401(api, rep):
    assert api().post(url(qualified_lead(rep)), {}, format="json").status_code == 401


def test_a_rep_cannot_convert_into_an_account_they_cannot_see(api, rep, other_rep):
    hidden = create_account(by=other_rep, name="Acme")
    lead = qualified_lead(rep)

    response = api(rep).post(url(lead), {"account": hidden.pk}, format="json")

    assert response.status_code == 400
    assert "account" in response.json()
    assert counts() == (1, 0, 0)
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.QUALIFIED


def test_a_contact_of_another_account_answers_400_naming_contact(api, rep):
    account = create_account(by=rep, name="Acme")
    stranger = create_contact(by=rep, account=create_account(by=rep, name="Other"), last_name="X")
    lead = qualified_lead(rep)

    response = api(rep).post(url(lead), {"account": account.pk, "contact": stranger.pk}, format="json")

    assert response.status_code == 400
    assert "contact" in response.json()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"account": "abc"}, "account"),
        ({"account": True}, "account"),
        ({"account": 10**30}, "account"),
        ({"account": -3}, "account"),
        ({"account": [1]}, "account"),
        ({"contact": "old"}, "contact"),
        ({"opportunity": {"amount": "lots"}}, "opportunity"),
        ({"opportunity": {"amount": "-5"}}, "opportunity"),
        ({"opportunity": {"close_date": "31/01/2031"}}, "opportunity"),
        ({"opportunity": {"stage": 999999}}, "opportunity"),
        ({"opportunity": {"name": "x" * 300}}, "opportunity"),
        ({"opportunity": "big"}, "opportunity"),
        ({"create_opportunity": "maybe"}, "create_opportunity"),
        ({"owner": 999999}, "owner"),
    ],
)
def test_bad_input_answers_400_naming_the_field_and_writes_nothing(api, rep, payload, field):
    lead = qualified_lead(rep)

    response = api(rep).post(url(lead), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert counts() == (0, 0, 0)


def test_a_rep_choosing_another_owner_gets_403(api, rep, team):
    teammate = type(rep).objects.create(username="rep3", team=team)
    lead = qualified_lead(rep)

    response = api(rep).post(url(lead), {"owner": teammate.pk}, format="json")

    assert response.status_code == 403
    assert counts() == (0, 0, 0)


def test_a_manager_sets_the_owner_of_the_new_records(api, manager, rep):
    lead = qualified_lead(None)

    response = api(manager).post(url(lead), {"owner": rep.pk}, format="json")

    assert response.status_code == 201
    body = response.json()
    assert body["account"]["owner"] == body["contact"]["owner"] == body["opportunity"]["owner"] == rep.pk


def test_a_failing_last_step_answers_400_and_leaves_the_database_as_before(api, rep):
    create_account(by=rep, name="Somewhere")
    lead = qualified_lead(rep)
    before = (counts(), list(Lead.objects.values()))

    response = api(rep).post(
        url(lead), {"account": "new", "opportunity": {"stage": Stage.objects.get(name="Closed Lost").pk}}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"opportunity": ["stage: Choose an open stage for a new opportunity."]}
    assert (counts(), list(Lead.objects.values())) == before


def test_one_conversion_through_the_api_costs_at_most_30_queries(api, rep, django_assert_max_num_queries):
    account = create_account(by=rep, name="Acme", website="acme.example")
    lead = qualified_lead(rep)
    client = api(rep)

    with django_assert_max_num_queries(30):
        response = client.post(url(lead), {"account": account.pk, "opportunity": {"amount": "10.00"}}, format="json")

    assert response.status_code == 201


def test_matches_list_visible_accounts_contacts_and_leads_with_their_reason(api, rep, other_rep):
    by_domain = create_account(by=rep, name="Acme Europe", website="https://acme.example")
    by_name = create_account(by=rep, name="ACME, Inc.")
    create_account(by=other_rep, name="Acme", website="acme.example")
    contact = create_contact(by=rep, account=by_domain, last_name="Lovelace", email="ada@acme.example")
    create_contact(by=other_rep, last_name="Lovelace", email="ada@acme.example")
    converted_before = qualified_lead(rep, first_name="Old")
    convert_lead(converted_before, by=rep, account=by_domain, contact=contact)
    lead = qualified_lead(rep)
    twin = qualified_lead(rep, first_name="Bob", email="bob@acme.example")

    response = api(rep).get(url(lead, "matches"))

    assert response.status_code == 200
    body = response.json()
    assert [(a["id"], a["reason"]) for a in body["accounts"]] == [
        (by_domain.pk, "domain"),
        (by_name.pk, "company_name"),
    ]
    assert body["accounts"][0] == {
        "id": by_domain.pk,
        "name": "Acme Europe",
        "domain": "acme.example",
        "owner": rep.pk,
        "reason": "domain",
    }
    assert [(c["id"], c["reason"]) for c in body["contacts"]] == [(contact.pk, "email")]
    assert [(m["id"], m["reason"]) for m in body["leads"]] == [
        (converted_before.pk, "email"),
        (twin.pk, "company_name"),
    ]


def test_a_converted_lead_is_read_only_in_the_api(api, rep):
    lead = qualified_lead(rep)
    convert_lead(lead, by=rep)
    client = api(rep)

    for response in (
        client.patch(f"/api/v1/leads/{lead.pk}/", {"company": "Changed"}, format="json"),
        client.patch(f"/api/v1/leads/{lead.pk}/", {"email": "not an email"}, format="json"),
        client.put(f"/api/v1/leads/{lead.pk}/", {"last_name": "X"}, format="json"),
        client.delete(f"/api/v1/leads/{lead.pk}/"),
    ):
        assert response.status_code == 409
        assert response.json()["code"] == "lead_converted"
    lead.refresh_from_db()
    assert lead.company == "Acme"


def test_an_open_lead_can_still_be_edited_and_deleted(api, rep):
    lead = qualified_lead(rep)
    client = api(rep)

    assert client.patch(f"/api/v1/leads/{lead.pk}/", {"company": "Changed"}, format="json").status_code == 200
    assert client.delete(f"/api/v1/leads/{lead.pk}/").status_code == 204
    assert not Lead.objects.filter(pk=lead.pk).exists()


def test_the_schema_describes_convert_and_matches_with_their_errors(api, rep):
    schema = api(rep).get("/api/v1/schema/?format=json").json()

    convert = schema["paths"]["/api/v1/leads/{id}/convert/"]["post"]
    assert {"201", "400", "403", "404", "409"} <= set(convert["responses"])
    assert "/api/v1/leads/{id}/matches/" in schema["paths"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_conversions_of_one_lead_yield_exactly_one_201(api, rep):
    create_contact(by=rep, account=create_account(by=rep, name="Zed"), last_name="Z")
    lead = qualified_lead(rep, qualified_at=timezone.now() - timedelta(days=1))
    barrier = threading.Barrier(10)
    statuses: list[int] = []
    lock = threading.Lock()

    def convert() -> None:
        try:
            client = api(rep)
            barrier.wait(timeout=10)
            status = client.post(url(lead), {}, format="json").status_code
            with lock:
                statuses.append(status)
        finally:
            connection.close()

    threads = [threading.Thread(target=convert) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(statuses) == [201] + [409] * 9
    assert Account.objects.filter(name="Acme").count() == 1
    assert Contact.objects.filter(email="ada@acme.example").count() == 1
    assert Opportunity.objects.count() == 1
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.CONVERTED
