"""The conversion model's quality page (/scoring/model/) and its "Train now" button."""

from unittest import mock

import pytest
from django.urls import reverse

from tests.factories import LeadFactory
from tests.scoring.conversion_models import active_model

pytestmark = pytest.mark.django_db


def _closed_leads(n: int, owner=None) -> None:
    LeadFactory.create_batch(n, status="unqualified", owner=owner, email="")


def test_a_manager_sees_how_many_more_closed_leads_are_needed_without_a_model(client, manager, settings):
    settings.FUNNEL_PREDICTIVE_MIN_CLOSED = 5
    _closed_leads(2)
    client.force_login(manager)

    response = client.get(reverse("scoring:model"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "No model trained yet" in page
    assert "3 more closed leads needed" in page
    assert "Train now" not in page  # managers read; admins train


def test_a_manager_sees_the_models_quality_against_the_rule_score(client, manager, admin):
    active_model(by=admin, auc=0.81)
    client.force_login(manager)

    response = client.get(reverse("scoring:model"))

    page = response.content.decode()
    assert "Version 1" in page
    assert "0.81" in page and "0.66" in page  # the model's AUC against the rule score's
    assert "2.4\u00d7" in page
    assert page.count('<th scope="row">') >= 10  # ten calibration deciles
    assert f"by {admin.display_name}" in page
    assert "Better than chance" in page


def test_a_model_no_better_than_chance_says_so_plainly(client, manager):
    active_model(auc=0.52, better=False)
    client.force_login(manager)

    page = client.get(reverse("scoring:model")).content.decode()

    assert "No better than chance" in page
    assert "should not guide who to call yet" in page


def test_a_rep_is_refused_the_page_and_the_button(client, rep):
    active_model()
    client.force_login(rep)

    assert client.get(reverse("scoring:model")).status_code == 403
    assert client.post(reverse("scoring:train")).status_code == 403


def test_the_dashboard_links_managers_to_the_model_page(client, manager, rep):
    client.force_login(manager)
    assert reverse("scoring:model") in client.get(reverse("dashboards:dashboard")).content.decode()
    client.force_login(rep)
    assert reverse("scoring:model") not in client.get(reverse("dashboards:dashboard")).content.decode()


def test_train_now_queues_a_training_run_for_an_admin(client, admin, django_capture_on_commit_callbacks):
    client.force_login(admin)
    assert "Train now" in client.get(reverse("scoring:model")).content.decode()

    with (
        mock.patch("scoring.tasks.train_conversion_model_task.apply_async") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(reverse("scoring:train"), follow=True)

    queued.assert_called_once_with((), {"by_id": admin.pk})
    assert response.redirect_chain[-1][0] == reverse("scoring:model")
    assert "Training queued" in response.content.decode()


def test_train_now_trains_and_predicts_when_the_task_runs(client, admin, settings, django_capture_on_commit_callbacks):
    from tests.scoring.predictive_history import build_history

    settings.CELERY_TASK_ALWAYS_EAGER = True
    leads = build_history(240, signal=True, open_leads=5)
    client.force_login(admin)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("scoring:train"))

    page = client.get(reverse("scoring:model")).content.decode()
    assert "Version 1" in page
    leads[-1].refresh_from_db()
    assert leads[-1].conversion_probability is not None


def test_a_manager_may_not_train_and_a_get_is_not_allowed(client, manager, admin):
    client.force_login(manager)
    assert client.post(reverse("scoring:train")).status_code == 403
    client.force_login(admin)
    assert client.get(reverse("scoring:train")).status_code == 405
