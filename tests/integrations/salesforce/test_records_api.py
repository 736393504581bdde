"""Records over /services/data/vXX.X/sobjects/: create, read, update, delete, upsert, across two users."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account
from integrations.salesforce.ids import to_sf_id
from leads.models import Lead
from opportunities.models import Opportunity
from tests.factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory, qualified_lead
from tests.integrations.salesforce.conftest import DATA

pytestmark = pytest.mark.usefixtures("fresh_throttles")


def _error(response) -> dict:
    body = response.json()
    assert isinstance(body, list) and set(body[0]) == {"message", "errorCode", "fields"}
    return body[0]


def test_a_lead_created_with_salesforce_names_is_stored_with_ours(sf_api, rep):
    response = sf_api(rep).post(
        f"{DATA}/sobjects/Lead/",
        {
            "FirstName": "Ada",
            "LastName": "Lovelace",
            "Company": "Engines",
            "Email": "Ada@Engines.test",
            "LeadSource": "Partner Referral",
            "Status": "Working - Contacted",
            "NumberOfEmployees": 40,
            "AnnualRevenue": 1250000.5,
            "External_Id__c": "ERP-1",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["success"] is True and body["errors"] == []
    lead = Lead.objects.get(last_name="Lovelace")
    assert body["id"] == to_sf_id("Lead", lead.pk)
    assert (lead.owner, lead.email, lead.source, lead.status) == (rep, "ada@engines.test", "partner", "working")
    assert (lead.employees, str(lead.annual_revenue), lead.external_id) == (40, "1250000.50", "ERP-1")


def test_a_lead_reads_back_in_salesforce_names_and_formats(sf_api, rep):
    lead = LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", status="new", source="cold_call")

    body = sf_api(rep).get(f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}").json()

    assert body["attributes"] == {"type": "Lead", "url": f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}"}
    assert body["Id"] == to_sf_id("Lead", lead.pk) and body["OwnerId"] == to_sf_id("User", rep.pk)
    assert (body["Name"], body["Status"], body["LeadSource"], body["IsConverted"]) == (
        "Ada Lovelace",
        "Open - Not Contacted",
        "Cold Call",
        False,
    )
    assert body["CreatedDate"].endswith(".000+0000") and body["ConvertedAccountId"] is None


def test_fields_selects_the_fields_returned_and_an_unknown_one_is_invalid(sf_api, rep):
    lead = LeadFactory(owner=rep)
    url = f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}"

    chosen = sf_api(rep).get(url, {"fields": "Email,lastname"})
    unknown = sf_api(rep).get(url, {"fields": "Email,Shoe_Size__c"})

    assert set(chosen.json()) == {"attributes", "Email", "LastName"}
    assert unknown.status_code == 400
    assert _error(unknown)["errorCode"] == "INVALID_FIELD" and "Shoe_Size__c" in _error(unknown)["message"]


def test_a_15_character_id_reads_the_same_record(sf_api, rep):
    lead = LeadFactory(owner=rep)

    response = sf_api(rep).get(f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)[:15]}")

    assert response.status_code == 200 and response.json()["Id"] == to_sf_id("Lead", lead.pk)


def test_patch_updates_through_the_service_and_answers_204(sf_api, rep):
    lead = LeadFactory(owner=rep, status="new")

    response = sf_api(rep).patch(
        f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}", {"Title": "CTO", "Status": "Nurturing"}, format="json"
    )

    assert response.status_code == 204
    lead.refresh_from_db()
    assert (lead.title, lead.status) == ("CTO", "nurturing")
    assert lead.status_changes.filter(to_status="nurturing").exists()


def test_delete_removes_the_record_and_answers_204(sf_api, rep):
    lead = LeadFactory(owner=rep)

    response = sf_api(rep).delete(f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}")

    assert response.status_code == 204 and not Lead.objects.filter(pk=lead.pk).exists()


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_reps_record_is_not_found(sf_api, rep, other_rep, method):
    lead = LeadFactory(owner=other_rep, title="Keep")

    response = getattr(sf_api(rep), method)(
        f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}", {"Title": "Changed"}, format="json"
    )

    assert response.status_code == 404 and _error(response)["errorCode"] == "NOT_FOUND"
    lead.refresh_from_db()
    assert lead.title == "Keep"


@pytest.mark.parametrize("record_id", ["nonsense", "001000000000001AAA", "00Q00000000000gEAB"])
def test_a_malformed_or_foreign_id_is_not_found(sf_api, rep, record_id):
    response = sf_api(rep).get(f"{DATA}/sobjects/Lead/{record_id}")

    assert response.status_code == 404 and _error(response)["errorCode"] == "NOT_FOUND"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"FirstName": "Ada"}, "REQUIRED_FIELD_MISSING", "LastName"),
        ({"LastName": "X", "Shoe_Size__c": 4}, "INVALID_FIELD", "Shoe_Size__c"),
        ({"LastName": "X", "IsConverted": True}, "INVALID_FIELD_FOR_INSERT_UPDATE", "IsConverted"),
        ({"LastName": "X", "Status": "Maybe"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Status"),
        ({"LastName": "X", "NumberOfEmployees": "many"}, "INVALID_TYPE_ON_FIELD_IN_RECORD", "NumberOfEmployees"),
        ({"LastName": "X" * 101}, "STRING_TOO_LONG", "LastName"),
        ({"LastName": "X", "Email": "not-an-email"}, "INVALID_EMAIL_ADDRESS", "Email"),
        ({"LastName": "X", "OwnerId": "005nonsense"}, "MALFORMED_ID", "OwnerId"),
        ({"LastName": "X", "Status": "Closed - Converted"}, "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Status"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(sf_api, rep, body, code, field):
    response = sf_api(rep).post(f"{DATA}/sobjects/Lead/", body, format="json")

    assert response.status_code == 400
    error = _error(response)
    assert error["errorCode"] == code and error["fields"] == [field]
    assert not Lead.objects.exists()


def test_a_reference_to_a_record_the_user_cannot_see_is_refused(sf_api, rep, other_rep):
    foreign = AccountFactory(owner=other_rep)

    response = sf_api(rep).post(
        f"{DATA}/sobjects/Contact/", {"LastName": "Doe", "AccountId": to_sf_id("Account", foreign.pk)}, format="json"
    )

    assert response.status_code == 400
    assert _error(response)["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"


def test_a_duplicate_open_lead_email_is_a_duplicate_value(sf_api, rep):
    LeadFactory(owner=rep, email="ada@x.test")

    response = sf_api(rep).post(f"{DATA}/sobjects/Lead/", {"LastName": "Again", "Email": "ADA@x.test"}, format="json")

    assert response.status_code == 400 and _error(response)["errorCode"] == "DUPLICATE_VALUE"


def test_a_rep_may_not_hand_a_lead_to_someone_else(sf_api, team, rep, manager):
    lead = LeadFactory(owner=rep)

    response = sf_api(rep).patch(
        f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}", {"OwnerId": to_sf_id("User", manager.pk)}, format="json"
    )

    assert response.status_code == 400 and _error(response)["errorCode"] == "INSUFFICIENT_ACCESS_OR_READONLY"


def test_a_converted_lead_is_read_only(sf_api, rep):
    from conversion.services import convert_lead

    lead = convert_lead(qualified_lead(rep), by=rep).lead
    url = f"{DATA}/sobjects/Lead/{to_sf_id('Lead', lead.pk)}"

    patched = sf_api(rep).patch(url, {"Title": "CEO"}, format="json")
    deleted = sf_api(rep).delete(url)
    read = sf_api(rep).get(url).json()

    assert patched.status_code == deleted.status_code == 400
    assert _error(patched)["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
    assert read["IsConverted"] is True and read["Status"] == "Closed - Converted"
    assert read["ConvertedAccountId"] == to_sf_id("Account", lead.converted_account_id)


def test_accounts_contacts_and_opportunities_are_written_through_their_services(sf_api, rep):
    client = sf_api(rep)

    account = client.post(f"{DATA}/sobjects/Account/", {"Name": "Acme", "Website": "https://acme.test"}, format="json")
    contact = client.post(
        f"{DATA}/sobjects/Contact/", {"LastName": "Doe", "AccountId": account.json()["id"]}, format="json"
    )
    deal = client.post(
        f"{DATA}/sobjects/Opportunity/",
        {"Name": "Big deal", "AccountId": account.json()["id"], "StageName": "Proposal", "CloseDate": "2027-01-31"},
        format="json",
    )

    assert account.status_code == contact.status_code == deal.status_code == 201
    stored = Opportunity.objects.select_related("stage", "account").get(name="Big deal")
    assert (stored.stage.name, stored.account.domain, str(stored.close_date)) == ("Proposal", "acme.test", "2027-01-31")
    assert stored.probability == 60 and stored.owner == rep
    body = client.get(f"{DATA}/sobjects/Opportunity/{deal.json()['id']}").json()
    assert (body["StageName"], body["IsClosed"], body["IsWon"], body["Amount"]) == ("Proposal", False, False, None)


def test_moving_a_deal_to_closed_won_reads_back_closed_and_won(sf_api, rep):
    deal = OpportunityFactory(owner=rep)
    url = f"{DATA}/sobjects/Opportunity/{to_sf_id('Opportunity', deal.pk)}"

    sf_api(rep).patch(url, {"StageName": "closed won", "Amount": 5000}, format="json")
    body = sf_api(rep).get(url, {"fields": "StageName,IsClosed,IsWon,Amount,ForecastCategoryName"}).json()

    assert (body["StageName"], body["IsClosed"], body["IsWon"], body["Amount"]) == ("Closed Won", True, True, 5000.0)
    assert body["ForecastCategoryName"] == "Closed"


def test_an_account_with_contacts_is_not_deleted(sf_api, rep):
    contact = ContactFactory(owner=rep)

    response = sf_api(rep).delete(f"{DATA}/sobjects/Account/{to_sf_id('Account', contact.account_id)}")

    assert response.status_code == 400 and _error(response)["errorCode"] == "DELETE_FAILED"
    assert Account.objects.filter(pk=contact.account_id).exists()


def test_users_are_read_only(sf_api, rep):
    response = sf_api(rep).post(f"{DATA}/sobjects/User/", {"Username": "x"}, format="json")

    assert response.status_code == 400 and _error(response)["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_a_user_reads_only_users_they_may_see(sf_api, rep, other_rep):
    mine = sf_api(rep).get(f"{DATA}/sobjects/User/{to_sf_id('User', rep.pk)}")
    theirs = sf_api(rep).get(f"{DATA}/sobjects/User/{to_sf_id('User', other_rep.pk)}")

    assert mine.status_code == 200 and mine.json()["Username"] == "rep1"
    assert theirs.status_code == 404


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=300),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=5,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    sobject=st.sampled_from(["Lead", "Account", "Contact", "Opportunity"]),
    body=st.dictionaries(
        st.sampled_from(
            [
                "LastName",
                "Name",
                "Email",
                "Status",
                "StageName",
                "Amount",
                "CloseDate",
                "NumberOfEmployees",
                "AccountId",
                "OwnerId",
                "HasOptedOutOfEmail",
                "Probability",
                "LeadSource",
                "External_Id__c",
            ]
        ),
        _JSON,
        max_size=6,
    ),
)
def test_no_record_body_is_answered_with_a_server_error(sf_api, rep, sobject, body):
    response = sf_api(rep).post(f"{DATA}/sobjects/{sobject}/", body, format="json")

    assert response.status_code in (201, 400), response.content
    if response.status_code == 400:
        assert response.json()[0]["errorCode"]
