"""The demo history trains a conversion model worth showing: features that matter, enough closed leads."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from demo.seeding import DEFAULT_LEADS
from leads.models import Lead
from scoring.selectors import get_active_conversion_model

pytestmark = pytest.mark.django_db

CLOSED = ("converted", "unqualified")


def _conversion_rate(leads) -> float:
    closed = leads.filter(status__in=CLOSED)
    return closed.filter(status="converted").count() / max(1, closed.count())


def test_the_default_demo_history_trains_a_model_worth_showing():
    """One seeding (as `make run` does, the slowest fixture of the suite) checked for all three properties."""
    out = StringIO()
    call_command("seed_demo", stdout=out)
    demo = out.getvalue()

    # Enough closed leads to train on.
    assert Lead.objects.count() >= DEFAULT_LEADS
    assert Lead.objects.filter(status__in=CLOSED).count() >= 200

    # Sources, titles and free mail really matter in the history.
    leads = Lead.objects.all()
    warm = _conversion_rate(leads.filter(source__in=["webinar", "referral"]))
    cold = _conversion_rate(leads.filter(source__in=["cold_call", "advertising", "social"]))
    free = _conversion_rate(leads.filter(email__iregex=r"@(gmail|outlook|yahoo|hotmail|icloud|gmx)\."))
    assert warm > 2 * cold
    assert free < _conversion_rate(leads) / 2

    # Seeding trained a model that beats chance and predicted every open lead.
    model = get_active_conversion_model()

    assert model is not None
    assert model.closed_leads >= 200
    assert model.auc >= 0.7 and model.is_better_than_chance
    assert model.lift_top_10 > 1.5
    assert len(model.calibration) == 10
    assert f"conversion model v{model.version} on {model.closed_leads:,} closed leads" in demo
    open_leads = Lead.objects.exclude(status__in=CLOSED)
    assert not open_leads.filter(conversion_probability__isnull=True).exists()
    assert all(len(reasons) == 3 for reasons in open_leads.values_list("conversion_reasons", flat=True)[:50])
    assert not Lead.objects.filter(status__in=CLOSED, conversion_probability__isnull=False).exists()


def test_a_small_demo_says_how_many_more_closed_leads_training_needs():
    out = StringIO()
    call_command("seed_demo", "--leads", "100", stdout=out)

    closed = Lead.objects.filter(status__in=CLOSED).count()
    assert closed < 200
    assert f"there are {closed}, so {200 - closed} more are needed" in out.getvalue()
    assert get_active_conversion_model() is None
    assert not Lead.objects.filter(conversion_probability__isnull=False).exists()
