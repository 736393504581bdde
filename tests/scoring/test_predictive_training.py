"""The predictive conversion model's training: what it learns, how honestly it is measured, when it refuses."""

import json

import pytest
from django.test import override_settings

from core.exceptions import PermissionDenied
from scoring.exceptions import NotEnoughHistory
from scoring.models import ConversionModel
from scoring.predictive.features import FEATURES
from scoring.predictive.model import ranked_features
from scoring.predictive.training import train_conversion_model
from scoring.selectors import closed_leads_count, get_active_conversion_model
from tests.scoring.predictive_history import build_history

pytestmark = pytest.mark.django_db


def test_the_two_features_the_outcome_depends_on_rank_first_and_the_holdout_auc_is_high():
    build_history(400, signal=True)

    model = train_conversion_model()

    assert [name for name, _ in ranked_features(model.parameters)[:2]] == ["source", "clicks"]
    assert model.auc >= 0.8
    assert model.is_better_than_chance
    assert model.lift_top_10 > 1.5
    assert model.training_size == 320 and model.holdout_size == 80 and model.closed_leads == 400
    assert model.features == list(FEATURES)
    assert [row["decile"] for row in model.calibration] == list(range(1, 11))
    assert sum(row["count"] for row in model.calibration) == model.holdout_size
    assert model.calibration[-1]["actual"] > model.calibration[0]["actual"]
    assert "Better than chance" in model.quality_verdict


def test_on_pure_noise_the_auc_is_near_a_half_and_the_model_says_it_is_no_better_than_chance():
    build_history(400, signal=False)

    model = train_conversion_model()

    assert 0.35 <= model.auc <= 0.65
    assert not model.is_better_than_chance
    assert model.quality_verdict.startswith("No better than chance")


def test_the_rule_score_is_measured_on_the_same_holdout():
    leads = build_history(300, signal=True)
    for lead in leads:  # a rule score that knows the answer: the model must be compared with it, not beat it
        lead.score = 90 if lead.status == "converted" else 10
    type(leads[0]).objects.bulk_update(leads, ["score"])

    model = train_conversion_model()

    assert model.rule_score_auc == 1.0


@override_settings(FUNNEL_PREDICTIVE_MIN_CLOSED=200)
def test_too_few_closed_leads_say_how_many_are_needed_and_store_nothing():
    build_history(150, signal=True, open_leads=30)

    with pytest.raises(NotEnoughHistory) as caught:
        train_conversion_model()

    assert (caught.value.needed, caught.value.have, caught.value.missing) == (200, 150, 50)
    assert caught.value.status_code == 409
    assert "50 more" in caught.value.detail
    assert closed_leads_count() == 150
    assert get_active_conversion_model() is None


@override_settings(FUNNEL_PREDICTIVE_MIN_CLOSED=20)
def test_a_single_outcome_is_not_enough_history_either():
    leads = build_history(40, signal=False)
    type(leads[0]).objects.filter(status="converted").update(
        status="unqualified", converted_at=None, converted_account=None
    )

    with pytest.raises(NotEnoughHistory, match="both converted and unqualified"):
        train_conversion_model()


@override_settings(FUNNEL_PREDICTIVE_TRAINING_DAYS=100)
def test_only_leads_closed_inside_the_training_window_count():
    build_history(300, signal=True)

    # The history spans 280 days of creation, each lead closing 10 days after it was created.
    assert 90 <= closed_leads_count() <= 120


def test_each_training_is_a_new_version_and_only_the_newest_is_active():
    build_history(250, signal=True)

    first = train_conversion_model()
    second = train_conversion_model()

    assert (first.version, second.version) == (1, 2)
    assert list(ConversionModel.objects.filter(is_active=True)) == [second]
    assert get_active_conversion_model() == second


def test_the_stored_parameters_are_plain_json(manager):
    build_history(250, signal=True)

    model = train_conversion_model(by=manager)

    model.refresh_from_db()
    assert model.trained_by == manager
    assert json.loads(json.dumps(model.parameters)) == model.parameters
    assert set(model.parameters["categorical"]) | set(model.parameters["numeric"]) == set(FEATURES)


def test_a_rep_may_not_train_the_model(rep):
    with pytest.raises(PermissionDenied):
        train_conversion_model(by=rep)
