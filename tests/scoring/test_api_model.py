"""GET /api/v1/scoring/model/: the active conversion model's holdout quality, for managers and admins."""

import pytest

from tests.factories import LeadFactory
from tests.scoring.conversion_models import CALIBRATION, active_model

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]

URL = "/api/v1/scoring/model/"


def test_a_manager_reads_the_models_quality(api, manager, admin):
    model = active_model(by=admin)

    response = api(manager).get(URL)

    assert response.status_code == 200
    body = response.json()
    assert body["version"] == 1
    assert body["trained_at"] == model.trained_at.isoformat().replace("+00:00", "Z")
    assert body["trained_by"] == admin.pk
    assert (body["training_size"], body["holdout_size"], body["closed_leads"]) == (400, 100, 500)
    assert (body["auc"], body["rule_score_auc"], body["lift_top_10"]) == (0.81, 0.66, 2.4)
    assert body["calibration"] == CALIBRATION
    assert body["is_better_than_chance"] is True


def test_without_a_model_it_is_a_404_saying_how_much_history_is_missing(api, admin, settings):
    settings.FUNNEL_PREDICTIVE_MIN_CLOSED = 10
    LeadFactory.create_batch(4, status="unqualified", email="")

    response = api(admin).get(URL)

    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "no_conversion_model"
    assert "4 closed leads" in body["detail"] and "needs 10" in body["detail"]


def test_a_rep_gets_403_and_an_anonymous_caller_401(api, rep):
    active_model()

    assert api(rep).get(URL).status_code == 403
    assert api().get(URL).status_code == 401


def test_the_schema_describes_the_endpoint_and_its_errors(api, rep):
    schema = api(rep).get("/api/v1/schema/?format=json").json()

    operation = schema["paths"]["/api/v1/scoring/model/"]["get"]
    assert {"200", "401", "403", "404"} <= set(operation["responses"])
    fields = schema["components"]["schemas"]["ConversionModel"]["properties"]
    assert {"version", "trained_at", "training_size", "auc", "rule_score_auc", "lift_top_10", "calibration"} <= set(
        fields
    )
