"""A list read from `.values()` rows (core.rows) gives, field for field, what the record's serializer gives."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from campaigns.models import Campaign
from campaigns.services import add_campaign_member
from core.rows import Computed, RowReader
from leads.models import Lead
from tests.factories import AccountFactory, LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]

_moment = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2040, 1, 1), timezones=st.just(dt.UTC))
_money = st.decimals(min_value=0, max_value=Decimal("99999999999999.99"), places=2)
_text = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=30)


def _values_for(field) -> st.SearchStrategy:
    """Any value the database may hold in one of the lead's own columns."""
    if field.name == "score":
        values = st.integers(min_value=0, max_value=100)
    elif field.choices:
        values = st.sampled_from([key for key, _ in field.choices])
    elif isinstance(field, Lead._meta.get_field("created_at").__class__):
        values = _moment
    elif field.get_internal_type() == "DateField":
        values = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2040, 1, 1))
    elif field.get_internal_type() == "DecimalField":
        values = _money
    elif field.get_internal_type() in ("PositiveIntegerField", "PositiveSmallIntegerField"):
        values = st.integers(min_value=0, max_value=32767)
    elif field.get_internal_type() == "FloatField":
        values = st.floats(min_value=0, max_value=1)
    elif field.get_internal_type() == "BooleanField":
        values = st.booleans()
    elif field.get_internal_type() == "JSONField":
        values = st.lists(st.fixed_dictionaries({"feature": _text, "impact": st.floats(-50, 50), "text": _text}))
    else:
        values = _text.map(lambda s: s[: field.max_length]) if field.max_length else _text
    return st.one_of(st.none(), values) if field.null else values


_COLUMNS = [
    f
    for f in Lead._meta.concrete_fields
    if not f.is_relation and not f.primary_key and f.name not in ("email", "status", "created_at", "converted_at")
]
# The status stays open (a converted lead needs its conversion time and account: the constraints say so).
_leads = st.fixed_dictionaries({f.attname: _values_for(f) for f in _COLUMNS})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=_leads, with_relations=st.booleans())
def test_each_list_row_equals_the_record_read_alone(rep, api, values, with_relations):
    lead = LeadFactory(owner=rep)
    Lead.objects.filter(pk=lead.pk).update(**values)
    if with_relations:
        account = AccountFactory(owner=rep)
        Lead.objects.filter(pk=lead.pk).update(matched_account=account, converted_account=account)
        for name in ("Spring", "Autumn"):
            add_campaign_member(Campaign.objects.create(name=f"{name} {lead.pk}"), by=rep, lead=lead)
    client = api(rep)

    [row] = [r for r in client.get("/api/v1/leads/?page_size=200").json()["results"] if r["id"] == lead.pk]
    alone = client.get(f"/api/v1/leads/{lead.pk}/").json()

    assert row == alone
    assert set(row) == set(alone)


def test_a_list_row_shows_every_field_with_its_type(rep, api):
    lead = LeadFactory(owner=rep, annual_revenue=Decimal("1200.50"), conversion_probability=0.25, employees=12)
    row = api(rep).get("/api/v1/leads/").json()["results"][0]
    assert row["id"] == lead.pk and row["owner"] == rep.pk
    assert row["annual_revenue"] == "1200.50" and row["employees"] == 12 and row["conversion_probability"] == 0.25
    assert row["created_at"].endswith("Z") and row["conversion_reasons"] == [] and row["matched_account"] is None
    assert "campaign" not in row  # write-only
    assert json.loads(json.dumps(row)) == row


def test_a_serializer_field_the_reader_cannot_read_from_a_row_is_named():
    class Touches(serializers.ModelSerializer):
        touches = serializers.SerializerMethodField()

        class Meta:
            model = Lead
            fields = ["id", "touches"]

    with pytest.raises(TypeError, match=r"Touches\.touches needs a Computed entry"):
        RowReader(Touches, {}).rows(Lead.objects.all())
    assert RowReader(Touches, {"touches": Computed(["score"], lambda row: row["score"] * 2)}).represent(
        [{"id": 1, "score": 4}]
    ) == [{"id": 1, "touches": 8}]


def test_another_reps_leads_are_not_in_the_rows(rep, other_rep, api):
    mine, theirs = LeadFactory(owner=rep), LeadFactory(owner=other_rep)
    ids = [r["id"] for r in api(rep).get("/api/v1/leads/").json()["results"]]
    assert ids == [mine.pk] and theirs.pk not in ids
    assert api(rep).get(f"/api/v1/leads/{theirs.pk}/").status_code == 404


@pytest.mark.parametrize("path", ["accounts", "contacts", "opportunities"])
def test_every_record_list_reads_rows_equal_to_the_record_alone(rep, other_rep, api, path):
    from opportunities.models import Stage
    from tests.factories import ContactFactory, OpportunityFactory

    account = AccountFactory(owner=rep, annual_revenue=Decimal("10.10"), employees=7)
    ContactFactory(owner=rep, account=account, title="CTO")
    OpportunityFactory(owner=rep, account=account, amount="12.50", stage=Stage.objects.get(name="Closed Won"))
    OpportunityFactory(owner=rep, account=account, close_date=dt.date(2030, 1, 2))
    ContactFactory(owner=other_rep)
    client = api(rep)

    rows = client.get(f"/api/v1/{path}/").json()["results"]

    assert rows and all(row == client.get(f"/api/v1/{path}/{row['id']}/").json() for row in rows)
    assert all(client.get(f"/api/v1/{path}/{row['id']}/").status_code == 200 for row in rows)
    assert not [
        r for r in api(other_rep).get(f"/api/v1/{path}/").json()["results"] if r["id"] in {x["id"] for x in rows}
    ]
