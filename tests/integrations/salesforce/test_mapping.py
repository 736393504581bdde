"""The object table: Salesforce names, picklists both ways and value conversions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.objects import LEAD_SOURCE, LEAD_STATUS, SOBJECTS, get_sobject
from leads.models import Lead, LeadSource


def test_objects_and_fields_are_found_case_insensitively():
    lead = get_sobject("lead")

    assert lead.name == "Lead" and lead.field("firstname").name == "FirstName"


def test_an_unknown_object_or_field_names_itself():
    with pytest.raises(SalesforceError) as unknown_object:
        get_sobject("Case")
    with pytest.raises(SalesforceError) as unknown_field:
        get_sobject("Lead").field("Shoe_Size__c")

    assert (unknown_object.value.error_code, unknown_object.value.message) == (
        "INVALID_TYPE",
        "sObject type 'Case' is not supported.",
    )
    assert unknown_field.value.error_code == "INVALID_FIELD" and unknown_field.value.fields == ["Shoe_Size__c"]


def test_every_lead_status_and_source_maps_both_ways():
    status, source = get_sobject("Lead").field("Status"), get_sobject("Lead").field("LeadSource")

    assert {ours for _, ours in LEAD_STATUS} == set(Lead.Status.values)
    assert {ours for _, ours in LEAD_SOURCE} == set(LeadSource.values)
    for ours in Lead.Status.values:
        assert status.to_ours(status.to_sf(ours)) == ours
    for ours in LeadSource.values:
        assert source.to_ours(source.to_sf(ours)) == ours


def test_salesforces_default_lead_sources_are_accepted_as_aliases():
    source = get_sobject("Lead").field("LeadSource")

    assert source.to_ours("Phone Inquiry") == "cold_call" and source.to_ours("employee referral") == "referral"
    assert source.to_sf("cold_call") == "Cold Call"


@pytest.mark.parametrize(
    ("sobject", "field", "ours", "theirs"),
    [
        (
            "Lead",
            "CreatedDate",
            dt.datetime(2026, 12, 5, 11, 0, tzinfo=dt.timezone(dt.timedelta(hours=1))),
            "2026-12-05T10:00:00.000+0000",
        ),
        ("Opportunity", "CloseDate", dt.date(2027, 1, 31), "2027-01-31"),
        ("Opportunity", "Amount", Decimal("12500.50"), 12500.5),
        ("Lead", "Email", "", None),
        ("Lead", "HasOptedOutOfEmail", True, True),
        ("Lead", "OwnerId", 42, "00500000000000gAAA"),
    ],
)
def test_our_values_become_salesforce_json(sobject, field, ours, theirs):
    assert SOBJECTS[sobject].field(field).to_sf(ours) == theirs


@pytest.mark.parametrize(
    ("field", "theirs", "ours"),
    [
        ("CloseDate", "2027-01-31", dt.date(2027, 1, 31)),
        ("Amount", "12500.50", Decimal("12500.50")),
        ("Amount", 3, Decimal("3")),
        ("Probability", "40", 40),
        ("Amount", None, None),
    ],
)
def test_json_and_csv_values_become_ours(field, theirs, ours):
    assert SOBJECTS["Opportunity"].field(field).to_ours(theirs) == ours


def test_datetimes_are_read_in_salesforces_and_iso_forms():
    created = SOBJECTS["Lead"].field("CreatedDate")

    assert created.to_ours("2026-12-05T10:00:00.000+0000") == dt.datetime(2026, 12, 5, 10, tzinfo=dt.UTC)
    assert created.to_ours("2026-12-05T11:00:00+01:00") == dt.datetime(2026, 12, 5, 10, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("Amount", "lots"),
        ("Amount", True),
        ("Probability", 4.5),
        ("CloseDate", "31/01/2027"),
        ("Amount", "NaN"),
        ("Name", {"a": 1}),
    ],
)
def test_bad_values_are_refused_naming_the_field(field, value):
    with pytest.raises(SalesforceError) as refused:
        SOBJECTS["Opportunity"].field(field).to_ours(value)

    assert refused.value.fields == [field] and refused.value.status == 400


def test_a_reference_takes_only_an_id_of_its_object():
    account = SOBJECTS["Contact"].field("AccountId")

    assert account.to_ours("001000000000001AAA") == 1
    with pytest.raises(SalesforceError) as refused:
        account.to_ours("00Q000000000001AAA")
    assert refused.value.error_code == "MALFORMED_ID"
