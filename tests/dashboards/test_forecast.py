"""The forecast page and report: figures recounted from the deals, snapshots, slipped deals, who sees what."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from dashboards.selectors.forecast import get_forecast, parse_forecast_filters
from opportunities.forecasting import set_forecast_category, set_quota, take_forecast_snapshots
from opportunities.models import Opportunity, Stage
from opportunities.selectors import get_period
from opportunities.services import create_opportunity, move_opportunity_stage, update_opportunity
from tests.factories import AccountFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
TODAY = date(2027, 2, 10)  # a Wednesday in February, Q1


def deal(owner, *, stage="Prospecting", close=TODAY, amount="1000", **fields):
    return create_opportunity(
        by=owner,
        account=AccountFactory(owner=owner),
        name=fields.pop("name", "Deal"),
        stage=Stage.objects.get(name=stage),
        close_date=close,
        amount=Decimal(amount),
        **fields,
    )


def forecast(user, params=None, today=TODAY):
    return get_forecast(user, parse_forecast_filters(user, params or {}, today=today), today=today)


def row_of(report, user):
    return next(r for r in report["reps"] if r["user_id"] == user.pk)


def test_a_reps_row_adds_up_quota_closed_won_and_each_category(rep):
    set_quota(by=UserFactory(role="admin"), user=rep, period="month", period_start=date(2027, 2, 1), amount=10_000)
    deal(rep, stage="Closed Won", amount="3000")
    deal(rep, stage="Negotiation", amount="2000")  # commit, 80 %
    deal(rep, stage="Proposal", amount="1000")  # best case, 60 %
    deal(rep, stage="Prospecting", amount="500")  # pipeline, 10 %
    deal(rep, stage="Negotiation", amount="9999", close=date(2027, 3, 1))  # next month

    row = row_of(forecast(rep), rep)

    assert (row["quota"], row["closed_won"], row["commit"], row["best_case"], row["pipeline"]) == (
        Decimal("10000.00"),
        Decimal("3000.00"),
        Decimal("2000.00"),
        Decimal("1000.00"),
        Decimal("500.00"),
    )
    assert row["weighted"] == Decimal("2250.00")  # 1600 + 600 + 50
    assert row["attainment"] == pytest.approx(0.3)
    assert row["gap"] == Decimal("7000.00")


def test_the_next_quarter_counts_the_deals_closing_then(rep):
    deal(rep, stage="Negotiation", amount="700", close=date(2027, 5, 3))

    row = row_of(forecast(rep, {"period": "next_quarter"}), rep)

    assert row["commit"] == Decimal("700.00")


amounts = st.integers(min_value=0, max_value=50_000)
histories = st.lists(
    st.tuples(
        amounts,
        st.lists(st.sampled_from(["Prospecting", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]), max_size=3),
        st.lists(st.integers(min_value=-60, max_value=90), max_size=3),  # close dates, days from TODAY
        st.sampled_from([None, "commit", "best_case", "omitted"]),  # an override along the way
        st.booleans(),  # owned by the rep (else by a teammate)
    ),
    max_size=8,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=histories, period=st.sampled_from(["this_month", "next_month", "this_quarter", "next_quarter"]))
def test_the_forecast_equals_a_recount_of_the_deals_after_any_history(rep, manager, rows, period):
    with transaction.atomic():
        # given: deals moved through stages and close dates at random, some categories overridden
        mate = UserFactory(username="mate", team=rep.team)
        for amount, stages, shifts, override, mine in rows:
            owner = rep if mine else mate
            opportunity = deal(owner, amount=str(amount))
            for step, name in enumerate(stages):
                if override and step == 1 and not opportunity.stage.is_closed:
                    set_forecast_category(opportunity, category=override, note="Because", by=owner)
                opportunity = move_opportunity_stage(
                    opportunity, stage=Stage.objects.get(name=name), by=owner, lost_reason="Price"
                )
            for shift in shifts:
                update_opportunity(opportunity, by=owner, data={"close_date": TODAY + timedelta(days=shift)})
        # when: a fresh manager object, as each request has (the team members are cached per user object)
        report = forecast(type(manager).objects.get(pk=manager.pk), {"period": period})
        # then: each row is a recount of the deals as they stand
        window = get_period(period, today=TODAY)
        for person in (rep, mate):
            mine = [
                o
                for o in Opportunity.objects.filter(owner=person).select_related("stage")
                if o.close_date and window.start <= o.close_date <= window.end
            ]
            open_ = [o for o in mine if not o.stage.is_closed]
            expected = {
                "closed_won": sum((o.amount for o in mine if o.stage.is_won), Decimal(0)),
                "commit": sum((o.amount for o in open_ if o.forecast_category == "commit"), Decimal(0)),
                "best_case": sum((o.amount for o in open_ if o.forecast_category == "best_case"), Decimal(0)),
                "pipeline": sum((o.amount for o in open_ if o.forecast_category == "pipeline"), Decimal(0)),
                "weighted": (
                    sum((o.amount * o.probability for o in open_ if o.forecast_category != "omitted"), Decimal(0)) / 100
                ).quantize(Decimal("0.01"), ROUND_HALF_UP),
            }
            row = row_of(report, person)
            assert {name: row[name] for name in expected} == expected
        team_row = report["teams"][0]
        assert team_row["commit"] == row_of(report, rep)["commit"] + row_of(report, mate)["commit"]
        transaction.set_rollback(True)


def test_the_change_since_last_week_compares_with_last_weeks_snapshot(rep):
    opportunity = deal(rep, stage="Negotiation", amount="2000")
    take_forecast_snapshots(datetime(2027, 2, 1, 1, tzinfo=UTC))  # last week's Monday
    deal(rep, stage="Negotiation", amount="500")
    move_opportunity_stage(opportunity, stage=Stage.objects.get(name="Closed Won"), by=rep)

    row = row_of(forecast(rep), rep)

    assert row["change"]["commit"] == Decimal("-1500.00")
    assert row["change"]["closed_won"] == Decimal("2000.00")


def test_without_last_weeks_snapshot_there_is_no_change(rep):
    deal(rep)

    assert row_of(forecast(rep), rep)["change"] is None


def test_a_deal_pushed_out_of_the_period_is_listed_as_slipped(rep):
    pushed = deal(rep, name="Pushed")
    back = deal(rep, name="Came back")
    update_opportunity(pushed, by=rep, data={"close_date": date(2027, 4, 2)})
    update_opportunity(back, by=rep, data={"close_date": date(2027, 4, 2)})
    update_opportunity(back, by=rep, data={"close_date": date(2027, 2, 20)})

    slipped = forecast(rep)["slipped"]

    assert [(s["name"], s["from_date"], s["to_date"]) for s in slipped] == [("Pushed", TODAY, date(2027, 4, 2))]
    assert forecast(rep, {"period": "this_quarter"})["slipped"][0]["name"] == "Pushed"


def test_two_managers_see_only_their_own_teams(rep, manager, other_rep):
    west = TeamFactory(name="West")
    other_rep.team = west
    other_rep.save(update_fields=["team"])
    deal(rep, stage="Negotiation", amount="100")
    pushed = deal(other_rep, stage="Negotiation", amount="900")
    update_opportunity(pushed, by=other_rep, data={"close_date": date(2027, 6, 1)})

    east_view, west_view = forecast(manager), forecast(west.manager)

    assert {r["user_id"] for r in east_view["reps"]} == {rep.pk}
    assert [t["team"] for t in east_view["teams"]] == ["East"]
    assert {r["user_id"] for r in west_view["reps"]} == {other_rep.pk}
    assert east_view["slipped"] == [] and len(west_view["slipped"]) == 1
    with pytest.raises(Exception, match="does not exist"):
        parse_forecast_filters(manager, {"team": str(west.pk)})


def test_a_rep_sees_only_their_own_row(rep, team):
    mate = UserFactory(username="mate", team=team)
    deal(mate, stage="Negotiation")

    report = forecast(rep)

    assert [r["user_id"] for r in report["reps"]] == [rep.pk] and report["teams"] == []


# --- page ---------------------------------------------------------------------------------------------------------


def test_the_forecast_page_shows_rows_and_exports_csv(client, manager, rep, django_assert_max_num_queries):
    deal(rep, stage="Negotiation", amount="1234", close=timezone.localdate())
    for username in ("nameless1", "nameless2", "nameless3"):  # display names fall back to first and last name
        UserFactory(username=username, name="", team=rep.team)
    client.force_login(manager)

    with django_assert_max_num_queries(15):
        page = client.get(reverse("dashboards:forecast"))
    csv = client.get(reverse("dashboards:forecast-export", args=["reps"]))

    assert page.status_code == 200 and "$1,234" in page.content.decode()
    assert csv.status_code == 200 and "1234.00" in csv.content.decode()
    assert "/dashboard/forecast/export/reps.xlsx" in page.content.decode()


def test_the_forecast_exports_xlsx_with_money_as_numbers_and_only_the_users_rows(client, rep, other_rep):
    deal(rep, stage="Negotiation", amount="1234", close=timezone.localdate())
    deal(other_rep, stage="Negotiation", amount="999", close=timezone.localdate())
    client.force_login(rep)

    export = client.get(reverse("dashboards:forecast-export-xlsx", args=["reps"]))

    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(export.content)).active
    header = [cell.value for cell in sheet[1]]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 1
    assert rows[0][header.index("Commit")] == Decimal("1234")  # Negotiation is a commit stage; money is a number
    assert Decimal("999") not in rows[0]


def test_a_bad_period_is_named_on_the_page(client, rep):
    client.force_login(rep)

    response = client.get(reverse("dashboards:forecast"), {"period": "last_year"})

    assert response.status_code == 400 and "period: give one of" in response.content.decode()


def test_quotas_page_is_for_managers_and_uploads_all_or_nothing(client, manager, rep):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from opportunities.models import Quota

    client.force_login(rep)
    assert client.get(reverse("dashboards:quotas")).status_code == 404
    client.force_login(manager)
    bad = SimpleUploadedFile(
        "q.csv", b"user,period,period_start,amount\nrep1,month,2027-01-01,5\nnobody,month,2027-01-01,5\n"
    )
    good = SimpleUploadedFile("q.csv", b"user,period,period_start,amount\nrep1,month,2027-01-01,5\n")

    refused = client.post(reverse("dashboards:quotas-upload"), {"file": bad})
    assert refused.status_code == 400 and "Row 3, column user" in refused.content.decode()
    assert not Quota.objects.exists()
    assert client.post(reverse("dashboards:quotas-upload"), {"file": good}).status_code == 302
    assert (
        client.post(
            reverse("dashboards:quotas"),
            {"user": rep.pk, "period": "quarter", "period_start": "2027-01-01", "amount": "900"},
        ).status_code
        == 302
    )
    assert Quota.objects.count() == 2


def test_the_owner_overrides_the_category_on_the_deal_page_and_others_get_404(client, rep, other_rep):
    opportunity = deal(rep)
    url = reverse("opportunities:forecast", args=[opportunity.pk])
    client.force_login(other_rep)
    assert client.post(url, {"forecast_category": "commit", "forecast_note": "x"}).status_code == 404
    client.force_login(rep)

    missing_note = client.post(url, {"forecast_category": "commit", "forecast_note": ""})
    saved = client.post(url, {"forecast_category": "commit", "forecast_note": "Signed LOI"})

    assert missing_note.status_code == 400
    assert saved.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.forecast_category, opportunity.forecast_note) == ("commit", "Signed LOI")
    assert "Signed LOI" in client.get(reverse("opportunities:detail", args=[opportunity.pk])).content.decode()
