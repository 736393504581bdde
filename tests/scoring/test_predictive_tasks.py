"""The predictive model's jobs: the weekly beat entry, the tasks, the command, and refreshes after engagement."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from activities.services import record_event
from crm.celery import app
from leads.models import Lead
from scoring.predictive import explain_prediction
from scoring.predictive.features import email_domain, employees_band, first_touch_band, seniority
from scoring.predictive.training import train_conversion_model
from scoring.selectors import get_active_conversion_model
from scoring.tasks import predict_leads_task, train_conversion_model_task
from tests.factories import LeadFactory
from tests.scoring.predictive_history import build_history

pytestmark = pytest.mark.django_db


def test_the_beat_trains_the_model_every_week():
    entry = app.conf.beat_schedule["train-conversion-model-weekly"]

    assert entry["task"] == train_conversion_model_task.name
    assert entry["schedule"].day_of_week == {0}


def test_the_task_trains_a_version_and_predicts_every_open_lead(manager):
    build_history(220, signal=True, open_leads=10)

    version = train_conversion_model_task(manager.pk)

    model = get_active_conversion_model()
    assert version == model.version == 1 and model.trained_by == manager
    assert Lead.objects.open().filter(conversion_probability__isnull=False).count() == 10


@override_settings(FUNNEL_PREDICTIVE_MIN_CLOSED=200)
def test_the_task_trains_nothing_without_enough_history():
    build_history(20, signal=True)

    assert train_conversion_model_task() is None
    assert get_active_conversion_model() is None


def test_the_predict_task_refreshes_the_given_leads():
    build_history(220, signal=True, open_leads=3)
    train_conversion_model()
    lead = Lead.objects.open().first()

    assert predict_leads_task([lead.pk]) == 1
    assert Lead.objects.filter(conversion_probability__isnull=False).count() == 1


def test_the_command_prints_the_version_and_its_quality():
    build_history(250, signal=True, open_leads=5)
    out = StringIO()

    call_command("train_conversion_model", stdout=out)

    text = out.getvalue()
    assert "Conversion model v1" in text and "AUC 0." in text and "Better than chance" in text
    assert "Predicted 5 open leads." in text


@override_settings(FUNNEL_PREDICTIVE_MIN_CLOSED=200)
def test_the_command_says_how_many_more_closed_leads_are_needed():
    build_history(120, signal=True)
    out = StringIO()

    call_command("train_conversion_model", stdout=out)

    assert "80 more closed leads are needed" in out.getvalue()


def test_engagement_refreshes_the_prediction_once_a_model_is_active(django_capture_on_commit_callbacks):
    build_history(220, signal=True)
    lead = LeadFactory()
    with django_capture_on_commit_callbacks(execute=True):
        record_event("nurture_clicked", "Clicked the pricing link", lead=lead)
    lead.refresh_from_db()
    assert lead.conversion_probability is None  # no model yet: nothing to refresh

    train_conversion_model()
    with django_capture_on_commit_callbacks(execute=True):
        record_event("nurture_clicked", "Clicked the pricing link", lead=lead)

    lead.refresh_from_db()
    assert lead.conversion_probability is not None
    assert lead.conversion_probability == explain_prediction(lead)["probability"]


def test_engagement_without_a_model_enqueues_no_prediction(django_capture_on_commit_callbacks):
    lead = LeadFactory()
    with django_capture_on_commit_callbacks() as callbacks:
        record_event("nurture_clicked", "Clicked the pricing link", lead=lead)

    assert predict_leads_task.name not in [getattr(callback, "task_name", None) for callback in callbacks]


@pytest.mark.parametrize(
    ("employees", "band"),
    [(None, "unknown"), (0, "1-10"), (10, "1-10"), (11, "11-50"), (1000, "201-1,000"), (9999, "5,000+")],
)
def test_employees_bands(employees, band):
    assert employees_band(employees) == band


@pytest.mark.parametrize(
    ("title", "level"),
    [
        ("", "unknown"),
        ("CEO", "senior"),
        ("Vice President, Sales", "senior"),
        ("Director of IT", "senior"),
        ("Head of Marketing", "senior"),
        ("Sales Manager", "manager"),
        ("Engineer", "staff"),
    ],
)
def test_seniority_from_the_title(title, level):
    assert seniority(title) == level


def test_email_domains_and_first_touch_bands():
    free = frozenset({"gmail.com"})
    assert [email_domain(e, free) for e in ["a@gmail.com", "a@firm.example", ""]] == ["free", "corporate", "none"]
    assert [first_touch_band(s) for s in [None, 60, 3_600, 7_200, 86_400 * 3, 86_400 * 30]] == [
        "never",
        "1_hour",
        "1_hour",
        "1_day",
        "1_week",
        "later",
    ]


def test_disqualifying_a_lead_clears_its_prediction(rep, django_capture_on_commit_callbacks):
    from leads.services.capture import change_lead_status

    build_history(220, signal=True)
    train_conversion_model()
    lead = LeadFactory(owner=rep)
    with django_capture_on_commit_callbacks(execute=True):
        record_event("reply", "Replied", lead=lead)
    lead.refresh_from_db()
    assert lead.conversion_probability is not None

    with django_capture_on_commit_callbacks(execute=True):
        change_lead_status(lead, to="unqualified", by=rep, reason="No budget")

    lead.refresh_from_db()
    assert lead.conversion_probability is None and lead.conversion_reasons is None
