"""The speed-to-lead report: figures equal a recount, each user sees their own scope, bad input is named."""

from __future__ import annotations

import io
import statistics
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from assignment.models import LeadSla, SlaPolicy
from dashboards.selectors.sla import SlaFilters, get_sla_report, median_of_counts
from tests.factories import LeadFactory, TeamFactory, UserFactory

NOW = datetime(2026, 3, 20, 12, tzinfo=UTC)  # a Friday
WEEK_1, WEEK_2 = date(2026, 3, 9), date(2026, 3, 16)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def clock(owner, *, assigned, touch_after=None, due_after=120, source="web", policy):
    """A first-touch clock: assigned at `assigned`, due `due_after` minutes later, touched `touch_after` minutes later."""
    lead = LeadFactory(owner=owner, source=source)
    touched = assigned + timedelta(minutes=touch_after) if touch_after is not None else None
    return LeadSla.objects.create(
        lead=lead,
        policy=policy,
        owner=owner,
        source=source,
        assigned_at=assigned,
        due_at=assigned + timedelta(minutes=due_after),
        at_risk_at=assigned + timedelta(minutes=due_after * 0.75),
        first_touch_at=touched,
        touch_minutes=touch_after,
    )


@pytest.fixture
def teams(db):
    east = TeamFactory(name="East", manager=UserFactory(username="east_boss", role="manager"))
    west = TeamFactory(name="West", manager=UserFactory(username="west_boss", role="manager"))
    anna = UserFactory(username="anna", name="Anna", role="rep", team=east)
    ben = UserFactory(username="ben", name="Ben", role="rep", team=east)
    wes = UserFactory(username="wes", name="Wes", role="rep", team=west)
    policy = SlaPolicy.objects.create(name="Two hours", target_minutes=120)
    monday1 = datetime(2026, 3, 9, 9, tzinfo=UTC)
    monday2 = datetime(2026, 3, 16, 9, tzinfo=UTC)
    clocks = [
        clock(anna, assigned=monday1, touch_after=30, policy=policy),
        clock(anna, assigned=monday1, touch_after=200, policy=policy, source="referral"),
        clock(anna, assigned=monday2, touch_after=60, policy=policy),
        clock(ben, assigned=monday2, policy=policy),  # untouched, breached
        clock(ben, assigned=NOW - timedelta(minutes=10), policy=policy),  # untouched, still running
        clock(wes, assigned=monday1, touch_after=10, policy=policy, source="referral"),
        clock(wes, assigned=monday2, policy=policy),
    ]
    return {"east": east, "west": west, "anna": anna, "ben": ben, "wes": wes, "clocks": clocks}


def recount(clocks, key):
    groups = {}
    for row in clocks:
        groups.setdefault(key(row), []).append(row)
    out = {}
    for group, rows in groups.items():
        decided = [r for r in rows if r.first_touch_at or r.due_at <= NOW]
        within = [r for r in rows if r.first_touch_at and r.first_touch_at <= r.due_at]
        minutes = [r.touch_minutes for r in rows if r.touch_minutes is not None]
        out[group] = {
            "leads": len(rows),
            "decided": len(decided),
            "within": len(within),
            "share": len(within) / len(decided) if decided else None,
            "median": statistics.median(minutes) if minutes else None,
        }
    return out


def test_an_admins_figures_equal_a_recount(teams, admin):
    report = get_sla_report(admin, SlaFilters(WEEK_1, WEEK_2))
    clocks = teams["clocks"]
    by_rep = recount(clocks, lambda r: r.owner_id)
    for row in report["by_rep"]:
        expected = by_rep[row["owner_id"]]
        assert {k: row[k] for k in expected} == expected
    by_source = recount(clocks, lambda r: r.source)
    assert {row["source"]: {k: row[k] for k in by_source[row["source"]]} for row in report["by_source"]} == by_source
    by_week = recount(clocks, lambda r: r.assigned_at.date() - timedelta(days=r.assigned_at.weekday()))
    for row in report["by_week"]:
        assert {k: row[k] for k in ("leads", "decided", "within", "share")} == {
            k: by_week[row["week"]][k] for k in ("leads", "decided", "within", "share")
        }
    assert [row["week"] for row in report["by_week"]] == [WEEK_1, WEEK_2]


def test_two_managers_see_only_their_own_teams(teams):
    east = get_sla_report(teams["east"].manager, SlaFilters(WEEK_1, WEEK_2))
    west = get_sla_report(teams["west"].manager, SlaFilters(WEEK_1, WEEK_2))
    assert {row["rep"] for row in east["by_rep"]} == {"Anna", "Ben"}
    assert {row["rep"] for row in west["by_rep"]} == {"Wes"}
    assert sum(row["leads"] for row in west["by_week"]) == 2


def test_a_rep_sees_their_own(teams):
    report = get_sla_report(teams["anna"], SlaFilters(WEEK_1, WEEK_2))
    assert [row["rep"] for row in report["by_rep"]] == ["Anna"]
    assert report["by_rep"][0]["median"] == 60


def test_the_page_shows_the_report_and_links_its_csv(client, teams):
    client.force_login(teams["east"].manager)
    response = client.get("/dashboard/sla/", {"from": "2026-03-09", "to": "2026-03-20"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Anna" in body and "Wes" not in body
    export = client.get("/dashboard/sla/export/rep.csv", {"from": "2026-03-09", "to": "2026-03-20"})
    assert export.status_code == 200
    lines = export.content.decode().splitlines()
    assert lines[0].startswith("Rep,Median business minutes")
    assert len(lines) == 3


def test_the_csv_is_formula_safe(client, teams):
    teams["anna"].name = "=HYPERLINK(1)"
    teams["anna"].save(update_fields=["name"])
    client.force_login(teams["east"].manager)
    export = client.get("/dashboard/sla/export/rep.csv", {"from": "2026-03-09"})
    assert "'=HYPERLINK(1)" in export.content.decode()


def test_the_xlsx_has_the_csvs_rows_as_typed_cells_and_text_is_never_a_formula(client, teams):
    teams["anna"].name = "=HYPERLINK(1)"
    teams["anna"].save(update_fields=["name"])
    client.force_login(teams["east"].manager)
    export = client.get("/dashboard/sla/export/rep.xlsx", {"from": "2026-03-09", "to": "2026-03-20"})
    assert export.status_code == 200 and '.xlsx"' in export["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][:2] == ("Rep", "Median business minutes to first touch")
    assert [row[0] for row in rows[1:]] == ["'=HYPERLINK(1)", "Ben"]  # the CSV's two reps, not another team's
    leads = rows[0].index("Leads")
    assert rows[1][1] == 60 and all(isinstance(row[leads], int) and row[leads] > 0 for row in rows[1:])


def test_the_page_names_a_bad_date(client, teams):
    client.force_login(teams["east"].manager)
    response = client.get("/dashboard/sla/", {"from": "yesterday"})
    assert response.status_code == 400
    assert "from: give a date" in response.content.decode()


def test_the_page_answers_404_for_another_managers_team(client, teams):
    client.force_login(teams["east"].manager)
    assert client.get("/dashboard/sla/", {"team": teams["west"].pk}).status_code == 404
    assert client.get("/dashboard/sla/export/nope.csv").status_code == 404


def test_the_api_scopes_like_the_page(api, teams):
    east = api(teams["east"].manager).get("/api/v1/reports/sla/", {"from": "2026-03-09", "to": "2026-03-20"})
    assert east.status_code == 200
    assert {row["rep_name"] for row in east.json()["by_rep"]} == {"Anna", "Ben"}
    mine = api(teams["wes"]).get("/api/v1/reports/sla/", {"from": "2026-03-09"})
    assert [row["rep_name"] for row in mine.json()["by_rep"]] == ["Wes"]
    assert mine.json()["by_week"][0] == {
        "week": "2026-03-09", "leads": 1, "touched": 1, "decided": 1, "within": 1, "share": 1.0,
    }  # fmt: skip


def test_the_api_team_filter(api, teams):
    response = api(teams["east"].manager).get("/api/v1/reports/sla/", {"team": teams["east"].pk, "from": "2026-03-09"})
    assert response.status_code == 200 and response.json()["team"] == teams["east"].pk
    assert api(teams["east"].manager).get("/api/v1/reports/sla/", {"team": teams["west"].pk}).status_code == 404


def test_the_api_refuses_anonymous_callers(api, db):
    assert api().get("/api/v1/reports/sla/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-13-01"}, "from"),
        ({"from": "2026-03-20", "to": "2026-03-01"}, "from"),
        ({"from": "2024-01-01", "to": "2026-03-01"}, "to"),
        ({"team": "east"}, "team"),
        ({"week": "1"}, "week"),
    ],
)
def test_the_api_names_bad_parameters(api, teams, params, field):
    response = api(teams["east"].manager).get("/api/v1/reports/sla/", params)
    assert response.status_code == 400
    assert field in str(response.json())


def test_the_report_is_in_the_openapi_schema(api, admin):
    schema = api(admin).get("/api/v1/schema/", {"format": "json"})
    assert "/api/v1/reports/sla/" in schema.json()["paths"]


def test_the_page_costs_a_fixed_number_of_queries(client, teams, django_assert_max_num_queries):
    policy = teams["clocks"][0].policy
    for i in range(20):
        rep = UserFactory(username=f"extra{i}", role="rep", team=teams["east"])
        clock(rep, assigned=datetime(2026, 3, 10, 9, tzinfo=UTC), touch_after=i, policy=policy, source="advertising")
    client.force_login(teams["east"].manager)
    # session, user, managed reps, the report (PostgreSQL: 1 statement and its work_mem, in a savepoint: 4;
    # SQLite: 3, by rep, by source, by week), rep names, unread notifications (the header's bell), teams for the filter, session save (3)
    with django_assert_max_num_queries(13):
        assert client.get("/dashboard/sla/", {"from": "2026-03-09"}).status_code == 200


@given(st.lists(st.integers(0, 3000), max_size=60))
def test_the_median_of_counted_minutes_is_the_median_of_the_minutes(minutes):
    """The report counts clocks per minute to first touch and takes the median from those counts."""
    expected = statistics.median(minutes) if minutes else None
    assert median_of_counts(Counter(minutes)) == expected
