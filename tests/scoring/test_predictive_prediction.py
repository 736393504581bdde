"""Predicting open leads: probability and three reasons written set-based, the same as one-by-one."""

from datetime import timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.models import Activity, Event
from leads.models import Lead
from scoring.predictive import explain_prediction, predict_leads
from scoring.predictive.explain import describe, signed_points
from scoring.predictive.training import train_conversion_model
from tests.factories import LeadFactory
from tests.scoring.predictive_history import build_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(db):
    leads = build_history(250, signal=True, open_leads=25)
    return train_conversion_model(), leads


def test_open_leads_get_a_probability_and_their_top_three_reasons(trained):
    written = predict_leads()

    open_leads = Lead.objects.open()
    assert written == open_leads.count() == 25
    for lead in open_leads:
        assert 0.0 <= lead.conversion_probability <= 1.0
        assert len(lead.conversion_reasons) == 3
        impacts = [abs(reason["impact"]) for reason in lead.conversion_reasons]
        assert impacts == sorted(impacts, reverse=True)
        for reason in lead.conversion_reasons:
            assert set(reason) == {"feature", "impact", "text"}
            assert reason["text"].endswith("pts") or reason["text"].endswith("pt")


def test_closed_leads_lose_their_prediction(trained):
    closed = Lead.objects.filter(status="unqualified").first()
    Lead.objects.filter(pk=closed.pk).update(conversion_probability=0.5, conversion_reasons=[])

    predict_leads()

    closed.refresh_from_db()
    assert closed.conversion_probability is None and closed.conversion_reasons is None


def test_the_bulk_write_equals_one_by_one_explanations(trained):
    model, _ = trained
    predict_leads()

    for lead in Lead.objects.open():
        explained = explain_prediction(lead)
        assert explained["model_version"] == model.version
        assert (explained["probability"], explained["reasons"]) == (
            lead.conversion_probability,
            lead.conversion_reasons,
        )


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    source=st.sampled_from(Lead.Source.values),
    employees=st.one_of(st.none(), st.integers(min_value=0, max_value=100_000)),
    title=st.sampled_from(["", "Chief Executive Officer", "VP Sales", "Office manager", "Engineer"]),
    email=st.sampled_from(["", "a@gmail.com", "a@firm.example"]),
    clicks=st.integers(min_value=0, max_value=6),
    called_after_hours=st.one_of(st.none(), st.integers(min_value=0, max_value=400)),
)
def test_any_open_lead_is_predicted_the_same_alone_and_in_bulk(
    trained, source, employees, title, email, clicks, called_after_hours
):
    lead = LeadFactory(source=source, employees=employees, title=title, email=email, industry="Mining", country="")
    Event.objects.bulk_create([Event(lead=lead, kind="nurture_clicked", summary="click") for _ in range(clicks)])
    if called_after_hours is not None:
        call = Activity.objects.create(lead=lead, kind="call", subject="call")
        Activity.objects.filter(pk=call.pk).update(created_at=lead.created_at + timedelta(hours=called_after_hours))

    assert predict_leads([lead.pk]) == 1

    lead.refresh_from_db()
    assert explain_prediction(lead) == {
        "probability": lead.conversion_probability,
        "reasons": lead.conversion_reasons,
        "model_version": trained[0].version,
    }
    Lead.objects.filter(pk=lead.pk).delete()


def test_only_the_given_leads_are_written(trained):
    first, second = Lead.objects.open()[:2]

    assert predict_leads([first.pk]) == 1

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.conversion_probability is not None
    assert second.conversion_probability is None


def test_without_a_model_nothing_is_predicted(db):
    lead = LeadFactory()

    assert predict_leads() == 0
    assert explain_prediction(lead) == {"probability": None, "reasons": [], "model_version": None}
    lead.refresh_from_db()
    assert lead.conversion_probability is None


def test_a_closed_lead_has_no_explanation(trained):
    closed = Lead.objects.filter(status="converted").first()

    assert explain_prediction(closed)["probability"] is None


def test_engagement_after_a_lead_closed_does_not_count(trained):
    """Features are measured when the lead closed: a later click must not change what training saw."""
    from scoring.predictive.features import stream_features

    closed = Lead.objects.filter(status="unqualified").first()
    before = next(stream_features(closed=True, lead_ids=[closed.pk])).numeric["clicks"][0]
    Event.objects.create(lead=closed, kind="nurture_clicked", summary="late click")

    after = next(stream_features(closed=True, lead_ids=[closed.pk])).numeric["clicks"][0]
    assert after == before


@pytest.mark.parametrize(
    ("feature", "value", "text"),
    [
        ("source", "webinar", "Source: Webinar"),
        ("seniority", "senior", "Title: senior (VP/Director/C-level)"),
        ("email_domain", "free", "Free email domain"),
        ("clicks", 3, "3 email clicks"),
        ("clicks", 1, "1 email click"),
        ("meetings", 0, "No meetings"),
        ("days_since_activity", 21.7, "No activity in 21 days"),
        ("days_since_activity", 2, "Last activity 2 days ago"),
        ("first_touch", "1_hour", "Touched within 1 hour"),
        ("employees_band", "201-1,000", "Company size: 201-1,000 employees"),
        ("industry", "unknown", "No industry"),
    ],
)
def test_reasons_are_plain_words(feature, value, text):
    assert describe(feature, value) == text


def test_points_are_signed():
    assert (signed_points(12.4), signed_points(-8.0), signed_points(0.3), signed_points(-1)) == (
        "+12 pts",
        "\u22128 pts",
        "0 pts",
        "\u22121 pt",
    )


def test_days_since_activity_counts_from_the_last_engagement(trained):
    from scoring.predictive.features import stream_features

    lead = LeadFactory()
    Lead.objects.filter(pk=lead.pk).update(created_at=timezone.now() - timedelta(days=40))
    event = Event.objects.create(lead=lead, kind="reply", summary="reply")
    Event.objects.filter(pk=event.pk).update(created_at=timezone.now() - timedelta(days=10, hours=1))

    chunk = next(stream_features(closed=False, lead_ids=[lead.pk]))
    assert int(chunk.numeric["days_since_activity"][0]) == 10
    assert chunk.numeric["replies"][0] == 1
    assert chunk.categorical["first_touch"] == ["never"]
