"""`GET /api/v1/reports/forecast/`, `/api/v1/quotas/` and the opportunity's forecast fields."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from opportunities.forecasting import set_quota
from opportunities.models import Quota, Stage
from opportunities.selectors import period_start
from opportunities.services import create_opportunity
from tests.factories import AccountFactory, TeamFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]
URL = "/api/v1/reports/forecast/"


def commit_deal(owner, amount="500"):
    return create_opportunity(
        by=owner,
        account=AccountFactory(owner=owner),
        name="Deal",
        stage=Stage.objects.get(name="Negotiation"),
        close_date=timezone.localdate(),
        amount=Decimal(amount),
    )


def test_the_report_gives_each_reps_figures(api, manager, rep):
    commit_deal(rep)
    set_quota(
        by=manager, user=rep, period="month", period_start=period_start("month", timezone.localdate()), amount=2000
    )

    body = api(manager).get(URL).json()

    row = next(r for r in body["reps"] if r["rep"] == rep.pk)
    assert (row["commit"], row["quota"], row["gap"], row["attainment"]) == ("500.00", "2000.00", "2000.00", 0.0)
    assert body["period"] == "this_month" and body["teams"][0]["team_name"] == "East"


def test_a_bad_period_is_a_400_naming_it(api, rep):
    response = api(rep).get(URL, {"period": "someday"})

    assert response.status_code == 400 and "period" in response.json()


def test_an_unknown_parameter_is_a_400(api, rep):
    assert api(rep).get(URL, {"quarter": "1"}).status_code == 400


def test_another_managers_team_is_a_404(api, manager, other_rep):
    west = TeamFactory(name="West")
    commit_deal(other_rep, amount="900")

    assert api(manager).get(URL, {"team": west.pk}).status_code == 404
    assert api(manager).get(URL, {"owner": other_rep.pk}).status_code == 404
    assert other_rep.pk not in [r["rep"] for r in api(manager).get(URL).json()["reps"]]


def test_a_rep_gets_only_their_own_row(api, rep, other_rep):
    commit_deal(other_rep)

    assert [r["rep"] for r in api(rep).get(URL).json()["reps"]] == [rep.pk]


def test_the_report_is_in_the_openapi_schema(api, admin):
    paths = api(admin).get("/api/v1/schema/", {"format": "json"}).json()["paths"]

    assert "/api/v1/reports/forecast/" in paths and "/api/v1/quotas/" in paths


# --- quotas -------------------------------------------------------------------------------------------------------


def test_a_manager_creates_and_changes_a_quota_for_their_rep(api, manager, rep):
    created = api(manager).post(
        "/api/v1/quotas/", {"user": rep.pk, "period": "quarter", "period_start": "2027-01-01", "amount": "9000"}
    )
    changed = api(manager).patch(f"/api/v1/quotas/{created.json()['id']}/", {"amount": "9500"})

    assert created.status_code == 201 and changed.status_code == 200
    assert Quota.objects.get().amount == Decimal("9500.00")


def test_a_rep_reads_their_own_quota_but_may_not_write(api, manager, rep, other_rep):
    set_quota(by=manager, user=rep, period="month", period_start=date(2027, 1, 1), amount=10)
    quota = Quota.objects.get()

    assert [q["id"] for q in api(rep).get("/api/v1/quotas/").json()["results"]] == [quota.pk]
    assert api(other_rep).get(f"/api/v1/quotas/{quota.pk}/").status_code == 404
    refused = api(rep).post(
        "/api/v1/quotas/", {"user": rep.pk, "period": "month", "period_start": "2027-02-01", "amount": "1"}
    )
    assert refused.status_code == 403


def test_a_manager_may_not_set_another_teams_quota(api, manager, other_rep):
    response = api(manager).post(
        "/api/v1/quotas/", {"user": other_rep.pk, "period": "month", "period_start": "2027-01-01", "amount": "1"}
    )

    assert response.status_code == 400 and "user" in response.json()


def test_a_bad_period_start_is_a_400_naming_it(api, admin, rep):
    response = api(admin).post(
        "/api/v1/quotas/", {"user": rep.pk, "period": "month", "period_start": "2027-01-09", "amount": "1"}
    )

    assert response.status_code == 400 and "period_start" in response.json()


# --- opportunity fields -------------------------------------------------------------------------------------------


def test_the_opportunity_api_overrides_the_category_with_a_note(api, rep):
    deal = commit_deal(rep)
    url = f"/api/v1/opportunities/{deal.pk}/"

    missing = api(rep).patch(url, {"forecast_category": "best_case"})
    saved = api(rep).patch(url, {"forecast_category": "best_case", "forecast_note": "Legal review slipping"})

    assert missing.status_code == 400 and "forecast_note" in missing.json()
    assert saved.status_code == 200
    assert (saved.json()["forecast_category"], saved.json()["forecast_overridden"]) == ("best_case", True)


def test_moving_a_quota_to_another_period_leaves_one_quota(api, manager, rep):
    set_quota(by=manager, user=rep, period="month", period_start=date(2027, 1, 1), amount=10)
    quota = Quota.objects.get()

    response = api(manager).patch(f"/api/v1/quotas/{quota.pk}/", {"period_start": "2027-02-01"})

    assert response.status_code == 200
    assert list(Quota.objects.values_list("period_start", flat=True)) == [date(2027, 2, 1)]
