"""The convertLead standard action, through the conversion service."""

from __future__ import annotations

import pytest

from integrations.salesforce.ids import to_sf_id
from leads.models import Lead
from tests.factories import AccountFactory, LeadFactory, qualified_lead
from tests.integrations.salesforce.conftest import DATA

pytestmark = pytest.mark.usefixtures("fresh_throttles")
URL = f"{DATA}/actions/standard/convertLead"


def test_convert_lead_answers_as_salesforce_with_the_new_records(sf_api, rep):
    lead = qualified_lead(rep)

    response = sf_api(rep).post(
        URL,
        {"inputs": [{"leadId": to_sf_id("Lead", lead.pk), "convertedStatus": "Closed - Converted"}]},
        format="json",
    )

    lead.refresh_from_db()
    assert response.status_code == 200
    assert response.json() == [
        {
            "actionName": "convertLead",
            "errors": None,
            "isSuccess": True,
            "outputValues": {
                "accountId": to_sf_id("Account", lead.converted_account_id),
                "contactId": to_sf_id("Contact", lead.converted_contact_id),
                "opportunityId": to_sf_id("Opportunity", lead.converted_opportunity_id),
                "leadId": to_sf_id("Lead", lead.pk),
            },
            "version": 1,
        }
    ]
    assert lead.status == Lead.Status.CONVERTED


def test_convert_lead_takes_an_account_no_opportunity_and_a_name(sf_api, rep):
    account = AccountFactory(owner=rep)
    lead, other = qualified_lead(rep), qualified_lead(rep, email="grace@acme.example")

    response = sf_api(rep).post(
        URL,
        {
            "inputs": [
                {
                    "leadId": to_sf_id("Lead", lead.pk),
                    "accountId": to_sf_id("Account", account.pk),
                    "doNotCreateOpportunity": True,
                },
                {"leadId": to_sf_id("Lead", other.pk), "opportunityName": "Named deal"},
            ]
        },
        format="json",
    )

    first, second = response.json()
    lead.refresh_from_db()
    other.refresh_from_db()
    assert first["isSuccess"] and first["outputValues"]["opportunityId"] is None
    assert lead.converted_account_id == account.pk
    assert second["isSuccess"] and other.converted_opportunity.name == "Named deal"


def test_each_input_fails_on_its_own_in_salesforces_shape(sf_api, rep, other_rep):
    good, theirs = qualified_lead(rep), qualified_lead(other_rep, email="their@acme.example")

    response = sf_api(rep).post(
        URL,
        {"inputs": [{"leadId": to_sf_id("Lead", theirs.pk)}, {"leadId": to_sf_id("Lead", good.pk)}]},
        format="json",
    )

    failed, succeeded = response.json()
    assert response.status_code == 200
    assert failed["isSuccess"] is False and failed["outputValues"] is None
    assert failed["errors"][0]["statusCode"] == "INVALID_CROSS_REFERENCE_KEY"
    assert succeeded["isSuccess"] is True
    theirs.refresh_from_db()
    assert theirs.status != Lead.Status.CONVERTED


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        ({"convertedStatus": "Open - Not Contacted"}, "INVALID_STATUS"),
        ({"accountId": "nonsense"}, "INVALID_CROSS_REFERENCE_KEY"),
        ({"doNotCreateOpportunity": "perhaps"}, "INVALID_TYPE_ON_FIELD_IN_RECORD"),
        ({"shoeSize": 4}, "INVALID_FIELD"),
    ],
)
def test_a_bad_input_is_a_400_and_converts_nothing(sf_api, rep, extra, code):
    lead = qualified_lead(rep)

    response = sf_api(rep).post(URL, {"inputs": [{"leadId": to_sf_id("Lead", lead.pk), **extra}]}, format="json")

    assert response.status_code == 400 and response.json()[0]["errors"][0]["statusCode"] == code
    lead.refresh_from_db()
    assert lead.status == Lead.Status.QUALIFIED


def test_converting_twice_is_refused(sf_api, rep):
    lead = qualified_lead(rep)
    body = {"inputs": [{"leadId": to_sf_id("Lead", lead.pk)}]}
    sf_api(rep).post(URL, body, format="json")

    again = sf_api(rep).post(URL, body, format="json")

    assert again.status_code == 400 and again.json()[0]["errors"][0]["statusCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_an_unqualified_lead_is_not_converted(sf_api, rep):
    lead = LeadFactory(owner=rep, status=Lead.Status.UNQUALIFIED)

    response = sf_api(rep).post(URL, {"inputs": [{"leadId": to_sf_id("Lead", lead.pk)}]}, format="json")

    assert response.status_code == 400 and response.json()[0]["errors"][0]["statusCode"] == "INVALID_STATUS"


@pytest.mark.parametrize("body", [{}, {"inputs": []}, {"inputs": "x"}, [1]])
def test_a_body_without_inputs_is_a_400(sf_api, rep, body):
    response = sf_api(rep).post(URL, body, format="json")

    assert response.status_code == 400 and response.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
