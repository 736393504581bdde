"""The activity report: per-rep counts equal a recount, the leaderboard's order, and who sees whose activity."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity
from dashboards.filters import FunnelFilters
from dashboards.rollups import rebuild_rollups
from dashboards.selectors.activity import COUNTER_KEYS, get_activity_report
from leads.models import Lead, LeadStatusChange
from tests.factories import AccountFactory, ActivityFactory, LeadFactory, TeamFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


@pytest.fixture
def west(other_rep):
    team = TeamFactory(name="West", manager=UserFactory(username="manager2", role="manager"))
    other_rep.team = team
    other_rep.save(update_fields=["team"])
    return team


def _week() -> FunnelFilters:
    today = timezone.localdate()
    return FunnelFilters(created_after=today - timedelta(days=13), created_before=today)


@pytest.fixture
def worked(rep, other_rep, team, west):
    """rep1 (East): 3 calls, an email, a meeting, a task done on 3 leads, one converted; rep2 (West): 1 call, 3 emails."""
    a, b, c, d0 = (LeadFactory(owner=rep) for _ in range(4))
    for outcome, lead in (("connected", a), ("connected", b), ("voicemail", a)):
        ActivityFactory(owner=rep, lead=lead, kind="call", call_outcome=outcome)
    ActivityFactory(owner=rep, lead=a, kind="email")
    ActivityFactory(owner=rep, lead=b, kind="meeting")
    ActivityFactory(owner=rep, lead=a, kind="task", completed_at=timezone.now())
    ActivityFactory(owner=rep, lead=a, kind="task")  # open: not done
    ActivityFactory(owner=rep, lead=a, kind="note")  # a note works the lead but is no call, email or meeting
    LeadStatusChange.objects.create(
        lead=c, from_status="new", to_status="working", changed_by=rep, changed_at=timezone.now()
    )
    # The status a lead is created with is not work: creating d0 does not count it as worked for rep.
    LeadStatusChange.objects.create(lead=d0, to_status="new", changed_by=rep, changed_at=timezone.now())
    account = AccountFactory(owner=rep)
    Lead.objects.filter(pk=c.pk).update(status="converted", converted_at=timezone.now(), converted_account=account)
    d = LeadFactory(owner=other_rep, company='=HYPERLINK("http://evil")')
    ActivityFactory(owner=other_rep, lead=d, kind="call", call_outcome="no_answer")
    for _ in range(3):
        ActivityFactory(owner=other_rep, lead=d, kind="email")
    old = ActivityFactory(owner=other_rep, lead=d, kind="email")
    Activity.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=60))  # out of range
    rebuild_rollups()  # written around the services above, as the demo seeding does
    return a, b, c, d


def _recount(user) -> dict[str, int]:
    acts = list(Activity.objects.filter(owner=user, created_at__gte=timezone.now() - timedelta(days=13)))
    worked = {x.lead_id for x in acts if x.lead_id} | set(
        LeadStatusChange.objects.work().filter(changed_by=user).values_list("lead_id", flat=True)
    )
    counts = {
        "calls": sum(x.kind == "call" for x in acts),
        "emails": sum(x.kind == "email" for x in acts),
        "meetings": sum(x.kind == "meeting" for x in acts),
        "tasks_done": sum(x.kind == "task" and x.completed_at is not None for x in acts),
        "leads_worked": len(worked),
        "converted": Lead.objects.filter(owner=user, converted_at__isnull=False).count(),
        "calls_other": 0,
    }
    for value in ("connected", "voicemail", "no_answer", "wrong_number"):
        counts[f"calls_{value}"] = sum(x.kind == "call" and x.call_outcome == value for x in acts)
    return counts


def _board(report) -> dict[str, dict]:
    return {row["rep_name"]: row for row in report["leaderboard"]}


def test_each_reps_totals_equal_a_recount_of_their_records(admin, rep, other_rep, worked):
    report = get_activity_report(admin, _week())
    board = _board(report)
    for user in (rep, other_rep):
        row = board[user.display_name]
        assert {key: row[key] for key in COUNTER_KEYS} == _recount(user)
    assert board[rep.display_name]["leads_worked"] == 3
    assert board[rep.display_name]["calls_connected"] == 2
    assert sum(row["emails"] for row in report["trend"]) == 4
    assert report["totals"]["calls"] == 4


def test_day_rows_add_up_to_the_week_rows(admin, worked):
    days = get_activity_report(admin, _week(), period="day")
    weeks = get_activity_report(admin, _week(), period="week")
    for key in COUNTER_KEYS:
        assert sum(r[key] for r in days["rows"]) == sum(r[key] for r in weeks["rows"])


def test_the_leaderboard_ranks_by_score_and_by_any_column(admin, rep, other_rep, worked):
    by_score = get_activity_report(admin, _week())["leaderboard"]
    assert [row["rep_name"] for row in by_score[:2]] == [rep.display_name, other_rep.display_name]
    # 10 x 1 converted + 3 x 1 meeting + 2 x 2 connected + (1 voicemail + 1 email + 1 task + 3 leads worked)
    assert by_score[0]["score"] == 23
    assert by_score[0]["rank"] == 1
    by_emails = get_activity_report(admin, _week(), sort="emails")["leaderboard"]
    assert by_emails[0]["rep_name"] == other_rep.display_name


def test_a_rep_sees_only_their_own_activity(client, rep, other_rep, worked):
    client.force_login(rep)
    response = client.get(reverse("dashboards:activity"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "My activity" in body
    assert rep.display_name in body and other_rep.display_name not in body
    assert [row["rep"] for row in response.context["report"]["leaderboard"]] == [rep.pk]


def test_a_rep_naming_another_rep_gets_400_not_their_numbers(client, rep, other_rep, worked):
    client.force_login(rep)
    response = client.get(reverse("dashboards:activity"), {"owner": other_rep.pk})
    assert response.status_code == 400
    assert other_rep.display_name not in response.content.decode()


def test_two_managers_each_see_only_their_own_team(client, rep, other_rep, west, worked):
    for manager, mine, theirs in ((rep.team.manager, rep, other_rep), (west.manager, other_rep, rep)):
        client.force_login(manager)
        response = client.get(reverse("dashboards:activity"), {"period": "day"})
        assert response.status_code == 200
        reps = {row["rep"] for row in response.context["report"]["leaderboard"]}
        assert mine.pk in reps and theirs.pk not in reps
        assert theirs.display_name not in response.content.decode()


def test_the_dashboard_links_to_the_activity_report(client, manager):
    client.force_login(manager)
    response = client.get(reverse("dashboards:dashboard"))
    assert reverse("dashboards:activity") in response.content.decode()


def test_a_bad_period_is_a_400_naming_it(client, manager):
    client.force_login(manager)
    response = client.get(reverse("dashboards:activity"), {"period": "month"})
    assert response.status_code == 400
    assert "period" in response.content.decode()


def test_the_api_returns_the_pages_numbers(api, manager, rep, worked):
    response = api(manager).get("/api/v1/reports/activity/", {"period": "day"})
    assert response.status_code == 200
    page = get_activity_report(manager, _default_filters(), period="day")
    assert response.json()["leaderboard"] == page["leaderboard"]
    assert {row["rep"] for row in response.json()["rows"]} == {rep.pk}


def _default_filters() -> FunnelFilters:
    today = timezone.localdate()
    return FunnelFilters(created_after=today - timedelta(days=29), created_before=today, preset="last_30")


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "month"}, "period"),
        ({"sort": "bogus"}, "sort"),
        ({"sorce": "web"}, "sorce"),
        ({"team": "x"}, "team"),
    ],
)
def test_the_api_names_a_bad_parameter_in_a_400(api, manager, params, field):
    response = api(manager).get("/api/v1/reports/activity/", params)
    assert response.status_code == 400
    assert field in response.content.decode()


def test_the_api_refuses_another_managers_team_and_anonymous_callers(api, manager, west):
    assert api(manager).get("/api/v1/reports/activity/", {"team": west.pk}).status_code == 400
    assert api(None).get("/api/v1/reports/activity/").status_code in (401, 403)


def test_the_schema_documents_the_endpoint(api, admin):
    response = api(admin).get("/api/v1/schema/", {"format": "json"})
    assert "/api/v1/reports/activity/" in response.json()["paths"]
