"""Single-lead and bulk scoring agree on random leads, engagement and rule sets (on SQLite and PostgreSQL)."""

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import Activity, Event
from leads.models import Lead
from scoring import services
from scoring.models import EngagementWeight, ScoringRule
from scoring.rules import ACTIVITY_ENGAGEMENT_KINDS, ENGAGEMENT_KINDS, EVENT_ENGAGEMENT_KINDS

pytestmark = pytest.mark.django_db

WORDS = ["ceo", "VP Sales", "Director", "analyst", "Head of IT", "acme", "Acme Corp", "globex", "+1 555", "de", "FR"]
SOURCES = list(Lead.Source.values)

text_rules = st.tuples(
    st.sampled_from(["title", "company", "phone", "country", "email"]),
    st.sampled_from(["equals", "not_equals", "in", "contains", "starts_with", "is_set", "is_blank"]),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
)
choice_rules = st.tuples(
    st.just("source"),
    st.sampled_from(["equals", "not_equals", "in"]),
    st.lists(st.sampled_from(SOURCES), min_size=1, max_size=3),
)
number_rules = st.tuples(
    st.sampled_from(["employees", "annual_revenue"]),
    st.sampled_from(["equals", "not_equals", "gte", "lte", "in", "is_set", "is_blank"]),
    st.lists(st.integers(0, 2000).map(str), min_size=1, max_size=2),
)
other_rules = st.sampled_from(
    [("email", "free_mail", [""]), ("do_not_contact", "equals", ["true"]), ("do_not_contact", "not_equals", ["true"])]
)
rules = st.lists(
    st.tuples(st.one_of(text_rules, choice_rules, number_rules, other_rules), st.integers(-60, 60)), max_size=8
)
leads = st.lists(
    st.fixed_dictionaries(
        {
            "title": st.sampled_from(["", *WORDS]),
            "company": st.sampled_from(["", *WORDS]),
            "phone": st.sampled_from(["", "+1 555"]),
            "country": st.sampled_from(["", "de", "FR", "Germany"]),
            "domain": st.sampled_from(["", "gmail.com", "acme.example", "yahoo.com"]),
            "employees": st.one_of(st.none(), st.integers(0, 2000)),
            "annual_revenue": st.one_of(st.none(), st.integers(0, 10**7).map(Decimal)),
            "source": st.sampled_from(SOURCES),
            "do_not_contact": st.booleans(),
            "engagement": st.lists(
                st.tuples(st.sampled_from(ENGAGEMENT_KINDS), st.floats(0, 400, allow_nan=False)), max_size=4
            ),
        }
    ),
    min_size=1,
    max_size=6,
)
weights = st.fixed_dictionaries({kind: st.integers(-20, 40) for kind in ENGAGEMENT_KINDS})


def make_lead(index: int, spec: dict, now) -> Lead:
    fields = {key: value for key, value in spec.items() if key not in ("domain", "engagement")}
    email = f"lead{index}@{spec['domain']}" if spec["domain"] else ""
    lead = Lead.objects.create(last_name=f"Lead {index}", email=email, **fields)
    for kind, age_days in spec["engagement"]:
        if kind in EVENT_ENGAGEMENT_KINDS:
            row = Event.objects.create(kind=kind, summary=kind, lead=lead)
        else:
            row = Activity.objects.create(kind=kind, subject=kind, lead=lead)
        type(row).objects.filter(pk=row.pk).update(created_at=now - timedelta(days=age_days))
    return lead


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule_set=rules, lead_specs=leads, kind_weights=weights, chunk_size=st.integers(1, 4))
def test_single_lead_and_bulk_scoring_agree_on_random_leads_and_rules(rule_set, lead_specs, kind_weights, chunk_size):
    assert set(ACTIVITY_ENGAGEMENT_KINDS) <= set(kind_weights)
    now = timezone.now()
    with transaction.atomic(), mock.patch("django.utils.timezone.now", return_value=now):
        ScoringRule.objects.all().delete()
        for (field, operator, items), points in rule_set:
            value = ", ".join(items) if operator in ("in", "contains", "starts_with") else items[0]
            ScoringRule.objects.create(
                name=f"{field} {operator}", field=field, operator=operator, value=value, points=points
            )
        for kind, points in kind_weights.items():
            EngagementWeight.objects.update_or_create(kind=kind, defaults={"points": points, "active": True})
        ids = [make_lead(index, spec, now).pk for index, spec in enumerate(lead_specs)]

        services.rescore_leads(chunk_size=chunk_size)
        bulk = list(Lead.objects.filter(pk__in=ids).order_by("pk").values_list("score", "rating", "mql_at"))
        Lead.objects.filter(pk__in=ids).update(score=0, rating="cold", scored_at=None, mql_at=None)
        for lead_id in ids:
            services.score_lead(lead_id)
        single = list(Lead.objects.filter(pk__in=ids).order_by("pk").values_list("score", "rating", "mql_at"))
        explained = [services.explain_score(lead)["score"] for lead in Lead.objects.filter(pk__in=ids).order_by("pk")]

        assert single == bulk
        assert explained == [score for score, _rating, _mql_at in bulk]
        transaction.set_rollback(True)
