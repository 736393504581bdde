"""Versions, resources, describes, authentication and the error shape of every failure under /services/."""

from __future__ import annotations

import pytest

from integrations.salesforce.objects import API_VERSION
from tests.factories import LeadFactory
from tests.integrations.salesforce.conftest import DATA

pytestmark = pytest.mark.usefixtures("fresh_throttles")


def test_the_versions_list_needs_no_token_and_names_the_current_version(sf_api):
    body = sf_api().get("/services/data/").json()

    assert {"label": f"Funnel {API_VERSION}", "url": f"/services/data/v{API_VERSION}", "version": API_VERSION} in body


def test_a_version_lists_its_resources(sf_api, rep):
    body = sf_api(rep).get(f"{DATA}/").json()

    assert body["sobjects"] == f"{DATA}/sobjects" and body["query"] == f"{DATA}/query"


def test_an_unsupported_version_is_not_found(sf_api, rep):
    response = sf_api(rep).get("/services/data/v20.0/sobjects/")

    assert response.status_code == 404 and response.json()[0]["errorCode"] == "NOT_FOUND"


def test_the_global_describe_lists_the_five_objects(sf_api, rep):
    body = sf_api(rep).get(f"{DATA}/sobjects/").json()

    assert body["encoding"] == "UTF-8" and body["maxBatchSize"] == 200
    assert {item["name"]: item["keyPrefix"] for item in body["sobjects"]} == {
        "Lead": "00Q",
        "Account": "001",
        "Contact": "003",
        "Opportunity": "006",
        "User": "005",
    }


def test_describe_gives_types_flags_and_picklist_values(sf_api, rep):
    body = sf_api(rep).get(f"{DATA}/sobjects/Lead/describe/").json()
    fields = {item["name"]: item for item in body["fields"]}

    assert body["name"] == "Lead" and body["keyPrefix"] == "00Q"
    assert [value["value"] for value in fields["Status"]["picklistValues"]][:2] == [
        "Open - Not Contacted",
        "Working - Contacted",
    ]
    assert fields["Status"]["picklistValues"][0]["defaultValue"] is True
    assert (fields["LastName"]["nillable"], fields["LastName"]["length"], fields["LastName"]["createable"]) == (
        False,
        100,
        True,
    )
    assert (fields["IsConverted"]["type"], fields["IsConverted"]["createable"]) == ("boolean", False)
    assert fields["OwnerId"]["referenceTo"] == ["User"] and fields["OwnerId"]["relationshipName"] == "Owner"
    assert fields["External_Id__c"]["externalId"] is True and fields["External_Id__c"]["custom"] is True


def test_stage_names_are_the_picklist_of_opportunity_stages(sf_api, rep):
    body = sf_api(rep).get(f"{DATA}/sobjects/Opportunity/describe").json()
    stage = next(item for item in body["fields"] if item["name"] == "StageName")

    assert [value["value"] for value in stage["picklistValues"]] == [
        "Prospecting",
        "Qualification",
        "Needs Analysis",
        "Proposal",
        "Negotiation",
        "Closed Won",
        "Closed Lost",
    ]


def test_basic_information_lists_only_the_users_recent_records(sf_api, rep, other_rep):
    mine = LeadFactory(owner=rep, first_name="Ada", last_name="Mine")
    LeadFactory(owner=other_rep, last_name="Theirs")

    body = sf_api(rep).get(f"{DATA}/sobjects/Lead/").json()

    assert body["objectDescribe"]["name"] == "Lead"
    assert [item["Name"] for item in body["recentItems"]] == [mine.full_name]


def test_an_unknown_object_is_not_found(sf_api, rep):
    response = sf_api(rep).get(f"{DATA}/sobjects/Case/describe/")

    assert response.status_code == 404 and response.json()[0]["errorCode"] == "NOT_FOUND"


@pytest.mark.parametrize("header", [None, "Bearer wrong", "OAuth wrong", "Bearer", "Basic abc"])
def test_a_missing_or_wrong_token_is_invalid_session_id(sf_api, header):
    client = sf_api()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(f"{DATA}/sobjects/")

    assert response.status_code == 401
    assert response.json() == [
        {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID", "fields": []}
    ]


def test_the_oauth_keyword_is_accepted_too(sf_api, rep):
    from tests.integrations.salesforce.conftest import bearer_token

    client = sf_api()
    client.credentials(HTTP_AUTHORIZATION=f"OAuth {bearer_token(rep)}")

    assert client.get(f"{DATA}/sobjects/").status_code == 200


def test_a_revoked_token_is_refused(sf_api, rep):
    from users.models import ApiToken
    from users.services import revoke_api_token

    client = sf_api(rep)
    revoke_api_token(ApiToken.objects.get(user=rep), by=rep)

    assert client.get(f"{DATA}/sobjects/").status_code == 401


def test_malformed_json_is_a_json_parser_error(sf_api, rep):
    response = sf_api(rep).generic("POST", f"{DATA}/sobjects/Lead/", "{not json", content_type="application/json")

    assert response.status_code == 400 and response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_a_json_list_instead_of_a_record_is_refused(sf_api, rep):
    response = sf_api(rep).post(f"{DATA}/sobjects/Lead/", [{"LastName": "X"}], format="json")

    assert response.status_code == 400 and response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"


def test_an_unsupported_media_type_is_415(sf_api, rep):
    response = sf_api(rep).generic("POST", f"{DATA}/sobjects/Lead/", "LastName=X", content_type="text/plain")

    assert response.status_code == 415 and response.json()[0]["errorCode"] == "UNSUPPORTED_MEDIA_TYPE"


def test_a_method_a_resource_does_not_take_is_405(sf_api, rep):
    response = sf_api(rep).put(f"{DATA}/sobjects/Lead/", {}, format="json")

    assert response.status_code == 405
    assert response.json()[0]["errorCode"] == "METHOD_NOT_ALLOWED" and "PUT" in response.json()[0]["message"]


@pytest.mark.parametrize("path", ["/services/nothing", f"{DATA}/sobjects/Lead/a/b/c", "/services/data/v62.0/tooling/"])
def test_unknown_paths_under_services_answer_json_404(sf_api, rep, path):
    response = sf_api(rep).get(path)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json") and response.json()[0]["errorCode"] == "NOT_FOUND"


@pytest.mark.parametrize(
    "raw", ['{"LastName": "X", "AnnualRevenue": 1e400}', '{"LastName": "X", "AnnualRevenue": NaN}']
)
def test_numbers_json_cannot_hold_are_refused(sf_api, rep, raw):
    response = sf_api(rep).generic("POST", f"{DATA}/sobjects/Lead/", raw, content_type="application/json")

    assert response.status_code == 400 and response.json()[0]["errorCode"] in {
        "JSON_PARSER_ERROR",
        "INVALID_TYPE_ON_FIELD_IN_RECORD",
    }
