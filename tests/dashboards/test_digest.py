"""The weekly manager digest: Monday morning in each manager's zone, once, with the pages' numbers."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.urls import reverse

from activities.models import Activity
from assignment.models import LeadSla, SlaPolicy
from campaigns.services import tag_lead_with_campaign
from core.replica import REPLICA
from core.templatetags.formatting import format_money
from crm.celery import app
from dashboards.digest import claim_due_digests, send_weekly_digests
from dashboards.models import DigestDelivery
from dashboards.tasks import send_weekly_digests_task
from leads.models import Lead
from opportunities.models import Stage
from tests.factories import (
    ActivityFactory,
    CampaignFactory,
    LeadFactory,
    OpportunityFactory,
    TeamFactory,
    UserFactory,
)

MONDAY = datetime(2026, 12, 7, tzinfo=UTC)  # a Monday; the digest covers Nov 30 - Dec 6
LAST_WEEK = datetime(2026, 12, 2, 12, tzinfo=UTC)


def at(day: datetime, hour: int, minute: int = 0):
    return time_machine.travel(day.replace(hour=hour, minute=minute), tick=False)


@pytest.fixture
def berlin(db, rep):
    """manager1 (Europe/Berlin, UTC+1 in December) leads East with rep1, who created 3 leads and called twice."""
    manager = UserFactory(username="berlin", role="manager", time_zone="Europe/Berlin")
    team = TeamFactory(name="East", manager=manager)
    rep.team = team
    rep.save(update_fields=["team"])
    leads = [LeadFactory(owner=rep, company=f"East {n}") for n in range(3)]
    for lead in leads[:2]:
        ActivityFactory(owner=rep, lead=lead, kind="call", call_outcome="connected")
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(created_at=LAST_WEEK)
    Activity.objects.filter(owner=rep).update(created_at=LAST_WEEK)
    return manager


@pytest.fixture
def tokyo(db, other_rep):
    """manager2 (Asia/Tokyo, UTC+9) leads West with rep2, who created 5 leads."""
    manager = UserFactory(username="tokyo", role="manager", time_zone="Asia/Tokyo")
    team = TeamFactory(name="West", manager=manager)
    other_rep.team = team
    other_rep.save(update_fields=["team"])
    leads = [LeadFactory(owner=other_rep, company=f"West {n}") for n in range(5)]
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).update(created_at=LAST_WEEK)
    return manager


def _to(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


@pytest.mark.django_db
def test_the_digest_goes_out_on_monday_from_seven_in_the_managers_zone_once_a_week(berlin):
    with at(MONDAY, 5, 50):  # 06:50 in Berlin
        send_weekly_digests_task()
    assert _to(berlin.email) == []
    with at(MONDAY, 6, 5):  # 07:05 in Berlin
        send_weekly_digests_task()
    assert len(_to(berlin.email)) == 1
    for hour in (7, 9):
        with at(MONDAY, hour, 5):
            send_weekly_digests_task()
    assert len(_to(berlin.email)) == 1
    with at(MONDAY.replace(day=14), 6, 5):  # the next Monday
        send_weekly_digests_task()
    assert len(_to(berlin.email)) == 2


@pytest.mark.django_db
def test_each_zone_has_its_own_monday_morning(berlin, tokyo):
    with at(MONDAY.replace(day=6), 22, 5):  # Sunday 22:05 UTC = Monday 07:05 in Tokyo, still Sunday in Berlin
        send_weekly_digests_task()
    assert len(_to(tokyo.email)) == 1 and _to(berlin.email) == []


@pytest.mark.django_db
def test_a_run_later_on_monday_still_sends_but_tuesday_does_not(berlin, tokyo):
    with at(MONDAY.replace(day=8), 8):  # Tuesday: Monday's digest was missed
        send_weekly_digests_task()
    assert mail.outbox == []
    with at(MONDAY, 15):  # Monday afternoon: the beat was down at 07:00
        send_weekly_digests_task()
    assert len(_to(berlin.email)) == 1


@pytest.mark.django_db
def test_reps_unsubscribed_and_inactive_managers_get_none(berlin, rep):
    UserFactory(username="quiet", role="manager", weekly_digest=False)
    UserFactory(username="gone", role="manager", is_active=False)
    with at(MONDAY, 10):
        send_weekly_digests_task()
    assert [message.to for message in mail.outbox] == [[berlin.email]]


@pytest.mark.django_db
def test_a_crash_between_claim_and_send_is_sent_by_the_next_run_once(berlin):
    with at(MONDAY, 10):
        assert len(claim_due_digests()) == 1  # the sender dies here, after its claim committed
        assert mail.outbox == []
        send_weekly_digests()
        send_weekly_digests()
    assert len(_to(berlin.email)) == 1
    assert DigestDelivery.objects.get(user=berlin).status == DigestDelivery.Status.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])  # the beats' threads read the replica
def test_two_beats_at_once_send_one_digest(berlin):
    barrier, errors = threading.Barrier(2), []

    def run() -> None:
        try:
            barrier.wait()
            send_weekly_digests(now=MONDAY.replace(hour=10))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(_to(berlin.email)) == 1
    assert DigestDelivery.objects.filter(user=berlin).count() == 1


def _local(url: str) -> str:
    """The path and query of an absolute link in the email, for the test client."""
    parts = urlsplit(url.replace("&amp;", "&"))
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


def _digest_for(manager):
    with at(MONDAY, 10):
        send_weekly_digests()
    [message] = _to(manager.email)
    return message, message.alternatives[0][0]


@pytest.mark.django_db
def test_the_digest_numbers_equal_the_pages(client, berlin, rep):
    message, html = _digest_for(berlin)
    client.force_login(berlin)
    page = client.get(_local(re.search(r'href="(http[^"]*/dashboard/\?[^"]*)"', html).group(1)))
    stages = page.context["data"]["stages"]
    assert stages[0]["count"] == 3
    for stage in stages:
        assert f"{stage['count']:,} · " in html
        assert f"{stage['label']}: {stage['count']:,}" in message.body
    activity_url = re.search(r'href="(http[^"]*/dashboard/activity/\?[^"]*)"', html).group(1)
    board = client.get(_local(activity_url)).context["report"]["leaderboard"]
    assert board[0]["calls_connected"] == 2
    assert f"score {board[0]['score']:,}" in html
    assert "<img" not in html and "<script" not in html


@pytest.mark.django_db
def test_two_managers_digests_hold_only_their_own_teams(berlin, tokyo, rep, other_rep):
    with at(MONDAY, 10):
        send_weekly_digests()
    [east] = _to(berlin.email)
    [west] = _to(tokyo.email)
    assert rep.display_name in east.body and other_rep.display_name not in east.body
    assert other_rep.display_name in west.body and rep.display_name not in west.body
    assert "Leads: 3" in east.body and "Leads: 5" in west.body


@pytest.mark.django_db
def test_the_unsubscribe_link_turns_the_digest_off_and_a_tampered_one_is_refused(client, berlin):
    message, html = _digest_for(berlin)
    link = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link.replace("&", "&amp;") in html or link in html
    path = _local(link)
    token = path.rstrip("/").rsplit("/", 1)[-1]
    tampered = reverse("dashboards:digest-unsubscribe", args=[token[:-2] + ("aa" if token[-2:] != "aa" else "bb")])
    assert client.post(tampered).status_code == 404
    berlin.refresh_from_db()
    assert berlin.weekly_digest is True
    assert client.get(path).status_code == 200  # a GET only asks: link scanners fetch links
    berlin.refresh_from_db()
    assert berlin.weekly_digest is True
    assert client.post(path, {"List-Unsubscribe": "One-Click"}).status_code == 200
    berlin.refresh_from_db()
    assert berlin.weekly_digest is False
    with at(MONDAY.replace(day=14), 10):
        send_weekly_digests()
    assert len(_to(berlin.email)) == 1


@pytest.mark.django_db
def test_the_command_sends_one_digest_on_demand(berlin):
    call_command("send_weekly_digest", "--user", berlin.username, "--now")
    assert len(_to(berlin.email)) == 1
    assert not DigestDelivery.objects.exists()


@pytest.mark.django_db
def test_a_bad_time_zone_is_refused_by_name(api, admin, berlin):
    response = api(admin).patch(f"/api/v1/users/{berlin.pk}/", {"time_zone": "Mars/Base"}, format="json")
    assert response.status_code == 400
    assert "time_zone" in response.json()
    ok = api(admin).patch(f"/api/v1/users/{berlin.pk}/", {"time_zone": "America/New_York", "weekly_digest": False})
    assert ok.status_code == 200
    assert ok.json()["time_zone"] == "America/New_York" and ok.json()["weekly_digest"] is False


@pytest.mark.django_db
def test_the_sla_section_equals_the_sla_page(client, berlin, rep):
    policy = SlaPolicy.objects.create(name="Two hours")
    for n, touched in enumerate((30, 60, 200)):
        lead = LeadFactory(owner=rep, company=f"Clock {n}")
        LeadSla.objects.create(
            lead=lead, policy=policy, owner=rep, source="web", assigned_at=LAST_WEEK, due_at=LAST_WEEK + timedelta(hours=2),
            at_risk_at=LAST_WEEK + timedelta(minutes=90), first_touch_at=LAST_WEEK + timedelta(minutes=touched),
            touch_minutes=touched,
        )  # fmt: skip
    message, html = _digest_for(berlin)
    client.force_login(berlin)
    page = client.get(_local(re.search(r'href="(http[^"]*/dashboard/sla/\?[^"]*)"', html).group(1)))
    [week] = page.context["report"]["by_week"]
    assert (week["within"], week["decided"]) == (2, 3)
    assert f"{week['within']:,} of {week['decided']:,} decided leads touched within SLA" in message.body


@pytest.mark.django_db
def test_the_forecast_section_equals_the_forecast_page(client, berlin, rep):
    won = Stage.objects.get(name="Closed Won")
    OpportunityFactory(owner=rep, stage=won, amount="5000.00", close_date=MONDAY.date() + timedelta(days=3))
    OpportunityFactory(owner=rep, amount="2000.00", close_date=MONDAY.date() + timedelta(days=10))
    message, html = _digest_for(berlin)
    with at(MONDAY, 10):  # the page on the Monday the digest went out
        client.force_login(berlin)
        page = client.get(_local(re.search(r'href="(http[^"]*/dashboard/forecast/\?[^"]*)"', html).group(1)))
    assert page.status_code == 200, page
    total = page.context["report"]["total"]
    assert total["closed_won"] == Decimal("5000.00")
    assert f"Closed won {format_money(total['closed_won'])}, commit {format_money(total['commit'])}" in message.body


@pytest.mark.django_db
def test_the_campaign_section_ranks_by_won_revenue_and_equals_the_campaign_page(client, berlin, rep, other_rep):
    won = Stage.objects.get(name="Closed Won")
    webinar = CampaignFactory(name="Spring webinar", actual_cost=Decimal("1000.00"))
    quiet = CampaignFactory(name="Quiet mailing", actual_cost=None)
    for campaign, owner, amount in ((webinar, rep, "9000.00"), (quiet, rep, None), (webinar, other_rep, "50000.00")):
        lead = LeadFactory(owner=owner)
        tag_lead_with_campaign(lead.pk, campaign, by=None)
        if amount:
            deal = OpportunityFactory(owner=owner, stage=won, amount=amount)
            Lead.objects.filter(pk=lead.pk).update(
                status="converted", converted_at=LAST_WEEK, converted_opportunity=deal, converted_account=deal.account
            )
    message, html = _digest_for(berlin)
    client.force_login(berlin)
    page = client.get(_local(re.search(r'href="(http[^"]*/dashboard/campaigns/\?[^"]*)"', html).group(1)))
    [credit] = [c for r, c in page.context["rows"] if r.campaign.pk == webinar.pk]
    assert credit.won_revenue == Decimal("9000.00")  # the other team's 50,000 is not the manager's to see
    assert f"Spring webinar: {format_money(credit.won_revenue)}" in message.body
    assert message.body.index("Spring webinar:") < message.body.index("Quiet mailing:")


def test_the_digest_job_runs_hourly_on_the_one_beat():
    [entry] = [e for e in app.conf.beat_schedule.values() if e["task"] == "dashboards.tasks.send_weekly_digests_task"]
    assert entry["schedule"].hour == set(range(24)) and entry["schedule"].minute == {5}
