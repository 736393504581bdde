"""Forecast categories, quotas (one by one and by CSV) and weekly snapshots."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import PermissionDenied
from opportunities.forecasting import import_quotas_csv, set_forecast_category, set_quota, take_forecast_snapshots
from opportunities.models import ForecastSnapshot, OpportunityCloseDateChange, Quota, Stage
from opportunities.services import create_opportunity, move_opportunity_stage, update_opportunity
from tests.factories import AccountFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def stage(name: str) -> Stage:
    return Stage.objects.get(name=name)


def deal(owner, **fields):
    fields.setdefault("amount", Decimal("1000.00"))
    return create_opportunity(by=owner, account=AccountFactory(owner=owner), name="Deal", **fields)


def test_a_new_deal_takes_the_forecast_category_of_its_stage(rep):
    assert deal(rep).forecast_category == "pipeline"
    assert deal(rep, stage=stage("Negotiation")).forecast_category == "commit"
    assert deal(rep, stage=stage("Proposal")).forecast_category == "best_case"


def test_a_stage_move_re_defaults_a_category_nobody_overrode(rep):
    opportunity = deal(rep)

    opportunity = move_opportunity_stage(opportunity, stage=stage("Negotiation"), by=rep)

    assert opportunity.forecast_category == "commit"


def test_the_owners_override_sticks_across_stage_moves(rep):
    opportunity = deal(rep)
    set_forecast_category(opportunity, category="commit", note="Signed LOI", by=rep)

    opportunity = move_opportunity_stage(opportunity, stage=stage("Proposal"), by=rep)
    opportunity.refresh_from_db()

    assert (opportunity.forecast_category, opportunity.forecast_overridden) == ("commit", True)
    assert opportunity.forecast_note == "Signed LOI"


def test_closing_a_deal_takes_the_stages_category_whatever_the_override(rep):
    opportunity = deal(rep)
    set_forecast_category(opportunity, category="omitted", note="Budget frozen", by=rep)

    opportunity = move_opportunity_stage(opportunity, stage=stage("Closed Won"), by=rep)

    assert (opportunity.forecast_category, opportunity.forecast_overridden) == ("closed", False)


def test_an_override_needs_a_note(rep):
    opportunity = deal(rep)

    with pytest.raises(ValidationError) as caught:
        set_forecast_category(opportunity, category="commit", note="  ", by=rep)

    assert "forecast_note" in caught.value.message_dict
    opportunity.refresh_from_db()
    assert opportunity.forecast_category == "pipeline"


def test_choosing_the_stages_own_category_clears_the_override(rep):
    opportunity = deal(rep)
    set_forecast_category(opportunity, category="commit", note="Verbal yes", by=rep)

    opportunity = set_forecast_category(opportunity, category="pipeline", note="", by=rep)
    opportunity = move_opportunity_stage(opportunity, stage=stage("Negotiation"), by=rep)

    assert (opportunity.forecast_category, opportunity.forecast_overridden) == ("commit", False)


def test_closed_is_not_a_category_an_owner_picks_for_an_open_deal(rep):
    with pytest.raises(ValidationError) as caught:
        set_forecast_category(deal(rep), category="closed", note="Surely", by=rep)

    assert "forecast_category" in caught.value.message_dict


def test_another_rep_may_not_override_the_category(rep, other_rep):
    with pytest.raises(PermissionDenied):
        set_forecast_category(deal(rep), category="commit", note="Mine now", by=other_rep)


def test_an_edit_of_the_category_goes_through_the_override_rules(rep):
    opportunity = deal(rep)

    with pytest.raises(ValidationError):
        update_opportunity(opportunity, by=rep, data={"forecast_category": "commit"})
    update_opportunity(opportunity, by=rep, data={"forecast_category": "commit", "forecast_note": "PO in hand"})

    opportunity.refresh_from_db()
    assert (opportunity.forecast_category, opportunity.forecast_overridden) == ("commit", True)


def test_a_close_date_change_is_recorded(rep):
    opportunity = deal(rep, close_date=date(2027, 1, 15))

    update_opportunity(opportunity, by=rep, data={"close_date": date(2027, 3, 1)})

    change = OpportunityCloseDateChange.objects.get(opportunity=opportunity)
    assert (change.from_date, change.to_date, change.changed_by) == (date(2027, 1, 15), date(2027, 3, 1), rep)


# --- quotas -------------------------------------------------------------------------------------------------------


def test_a_manager_sets_a_quota_for_their_rep_and_setting_it_again_replaces_it(manager, rep):
    set_quota(by=manager, user=rep, period="month", period_start=date(2027, 1, 1), amount=Decimal("5000"))
    set_quota(by=manager, user=rep, period="month", period_start=date(2027, 1, 1), amount=Decimal("7000"))

    assert list(Quota.objects.values_list("amount", flat=True)) == [Decimal("7000.00")]


def test_a_manager_may_not_set_a_quota_for_another_teams_rep(manager, other_rep):
    with pytest.raises(PermissionDenied):
        set_quota(by=manager, user=other_rep, period="month", period_start=date(2027, 1, 1), amount=Decimal(1))


def test_a_quarter_quota_starts_on_the_first_day_of_a_quarter(admin, rep):
    with pytest.raises(ValidationError) as caught:
        set_quota(by=admin, user=rep, period="quarter", period_start=date(2027, 2, 1), amount=Decimal(1))

    assert "period_start" in caught.value.message_dict


def test_a_quota_csv_sets_every_row_by_username_or_email(manager, rep):
    teammate = UserFactory(username="mate", email="Mate@Example.test", team=manager.managed_teams.first())
    text = (
        "user,period,period_start,amount\nrep1,month,2027-01-01,5000\nmate@example.test,quarter,2027-01-01,15000.50\n"
    )

    assert import_quotas_csv(text, by=manager) == 2

    assert Quota.objects.get(user=teammate).amount == Decimal("15000.50")
    assert Quota.objects.get(user=rep).period == "month"


@pytest.mark.parametrize(
    ("row", "named"),
    [
        ("=HYPERLINK(1),month,2027-01-01,5000", "Row 3, column user"),
        ("rep1,month,2027-01-01,+5000", "Row 3, column amount"),
        ("ghost,month,2027-01-01,5000", "Row 3, column user"),
        ("rep2,month,2027-01-01,5000", "Row 3, column user"),  # another team's rep
        ("rep1,month,2027-02-01,5000", "Row 3, column user"),  # the same user and period as row 2
        ("rep1,week,2027-01-01,5000", "Row 3, column period"),
        ("rep1,month,2027-01-15,5000", "Row 3, column period_start"),
        ("rep1,month,soon,5000", "Row 3, column period_start"),
        ("rep1,month,2027-01-01,lots", "Row 3, column amount"),
    ],
)
def test_a_bad_quota_csv_row_is_named_and_nothing_is_written(manager, rep, other_rep, row, named):
    text = f"user,period,period_start,amount\nrep1,month,2027-02-01,1000\n{row}\n"

    with pytest.raises(ValidationError) as caught:
        import_quotas_csv(text, by=manager)

    assert named in caught.value.message_dict["file"][0]
    assert not Quota.objects.exists()


def test_a_quota_csv_without_the_columns_is_refused(admin):
    with pytest.raises(ValidationError) as caught:
        import_quotas_csv("name,amount\nrep1,5\n", by=admin)

    assert "user" in caught.value.message_dict["file"][0]


# --- snapshots ----------------------------------------------------------------------------------------------------


def test_snapshots_are_taken_once_a_week(rep):
    deal(rep, stage=stage("Negotiation"), close_date=date(2027, 1, 20), amount=Decimal("4000"))
    monday = datetime(2027, 1, 11, 0, 30, tzinfo=UTC)

    first = take_forecast_snapshots(monday)
    again = take_forecast_snapshots(monday + timedelta(days=2))

    snapshot = ForecastSnapshot.objects.get(user=rep, period="month", period_start=date(2027, 1, 1))
    assert (first, again) == (2, 0)  # this month and this quarter hold the deal
    assert (snapshot.commit, snapshot.week) == (Decimal("4000.00"), date(2027, 1, 11))


def test_the_next_weeks_run_adds_new_rows_and_keeps_the_old(rep):
    deal(rep, close_date=date(2027, 1, 20))
    take_forecast_snapshots(datetime(2027, 1, 4, tzinfo=UTC))

    take_forecast_snapshots(datetime(2027, 1, 11, tzinfo=UTC))

    weeks = set(ForecastSnapshot.objects.filter(user=rep).values_list("week", flat=True))
    assert weeks == {date(2027, 1, 4), date(2027, 1, 11)}


def test_a_second_team_exists_without_quotas(db):
    # a manager of a team without members still sets nobody's quota but their own
    other = TeamFactory(name="West")
    set_quota(by=other.manager, user=other.manager, period="month", period_start=date(2027, 1, 1), amount=Decimal(0))

    assert Quota.objects.get().user == other.manager
