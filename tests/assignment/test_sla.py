"""Speed-to-lead: the first-touch clock starts on assignment, stops at the first touch, and a breach is handled once."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection

from activities.models import Event, Notification
from activities.services import log_activity
from assignment import services
from assignment.models import LeadSla, SlaPolicy
from assignment.services import sla
from assignment.tasks import handle_sla_breaches_task
from leads.models import Lead
from leads.services.capture import change_lead_status
from tests.factories import AssignmentRuleFactory, LeadFactory, TeamFactory, UserFactory

TUESDAY_10 = datetime(2026, 3, 3, 10, tzinfo=UTC)


@pytest.fixture
def clock():
    with time_machine.travel(TUESDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(db, clock):
    """A team of three reps (one at capacity) with a manager, a 2-hour policy and a round-robin rule that uses it."""
    team = TeamFactory(name="Inside", manager=UserFactory(username="boss", role="manager"))
    first, second = (UserFactory(username=f"inside{i}", role="rep", team=team) for i in (1, 2))
    full = UserFactory(username="inside0", role="rep", team=team, lead_capacity=0)
    policy = SlaPolicy.objects.create(name="Two hours", target_minutes=120, time_zone="UTC", team=team)
    rule = AssignmentRuleFactory(target_team=team, sla_policy=policy, reassign_on_breach=True)
    return team, (first, second, full), policy, rule


def assigned_lead(**fields) -> Lead:
    lead = LeadFactory(**fields)
    return services.assign_lead(lead)


def test_assignment_starts_the_clock_in_business_time(world, clock):
    _team, (first, _second, _full), policy, rule = world
    lead = assigned_lead()
    clock_row = LeadSla.objects.get(lead=lead)
    assert (clock_row.owner, clock_row.policy, clock_row.rule) == (first, policy, rule)
    assert clock_row.due_at == TUESDAY_10 + timedelta(hours=2)


def test_an_evening_assignment_is_due_the_next_morning(world, clock):
    clock.move_to(datetime(2026, 3, 3, 16, 30, tzinfo=UTC))
    lead = assigned_lead()
    assert LeadSla.objects.get(lead=lead).due_at == datetime(2026, 3, 4, 10, 30, tzinfo=UTC)


def test_assignment_by_hand_uses_the_new_owners_team_policy(world, manager, clock):
    team, (first, _second, _full), policy, _rule = world
    lead = LeadFactory()
    services.assign_lead(lead, owner=first, by=team.manager)
    assert LeadSla.objects.get(lead=lead).policy == policy


def test_a_lead_outside_any_policy_has_no_clock(db, rep, admin):
    lead = LeadFactory()
    services.assign_lead(lead, owner=rep, by=admin)
    assert not LeadSla.objects.filter(lead=lead).exists()


@pytest.mark.parametrize("kind", ["call", "email", "meeting"])
def test_a_call_email_or_meeting_is_the_first_touch(world, clock, kind):
    lead = assigned_lead()
    clock.shift(timedelta(minutes=30))
    log_activity(by=lead.owner, kind=kind, subject="Hello", lead=lead)
    clock.shift(timedelta(minutes=30))
    log_activity(by=lead.owner, kind=kind, subject="Again", lead=lead)
    assert LeadSla.objects.get(lead=lead).first_touch_at == TUESDAY_10 + timedelta(minutes=30)


def test_a_note_is_not_a_touch(world, clock):
    lead = assigned_lead()
    log_activity(by=lead.owner, kind="note", subject="Looked them up", lead=lead)
    assert LeadSla.objects.get(lead=lead).first_touch_at is None


def test_moving_to_working_is_the_first_touch(world, clock):
    lead = assigned_lead()
    clock.shift(timedelta(minutes=10))
    change_lead_status(lead, to=Lead.Status.WORKING, by=lead.owner)
    assert LeadSla.objects.get(lead=lead).first_touch_at == TUESDAY_10 + timedelta(minutes=10)


def test_a_touched_lead_never_breaches(world, clock):
    lead = assigned_lead()
    log_activity(by=lead.owner, kind="call", subject="Hi", lead=lead)
    clock.shift(timedelta(hours=3))
    assert sla.handle_sla_breaches() == 0
    assert not Notification.objects.exists()


def test_a_breach_notifies_owner_and_manager_once_and_reassigns_to_another_rep(world, clock):
    _team, (first, second, _full), _policy, _rule = world
    lead = assigned_lead()
    mail.outbox.clear()
    clock.shift(timedelta(hours=2, minutes=1))

    assert handle_sla_breaches_task() == 1
    assert handle_sla_breaches_task() == 0

    notified = sorted(Notification.objects.values_list("user__username", flat=True))
    assert notified == ["boss", "inside1"]
    assert sorted(to for message in mail.outbox for to in message.to if "missed" in message.subject) == [
        "boss@example.test",
        "inside1@example.test",
    ]
    lead.refresh_from_db()
    assert lead.owner == second  # never back to the same rep, and not to the rep at capacity
    row = LeadSla.objects.get(lead=lead)
    assert row.breached_at and row.notified_at and row.reassigned_at
    assert row.owner == first  # the breach stays on the rep who missed it
    reasons = Event.objects.filter(lead=lead, data__method="sla_breach").values_list("summary", flat=True)
    assert len(reasons) == 1 and "missed the first-touch target" in reasons[0]
    assert Event.objects.filter(lead=lead, kind="sla_breached").count() == 1


def test_a_breach_without_anyone_else_with_room_keeps_the_owner(world, clock):
    _team, (first, second, _full), _policy, _rule = world
    second.accepts_leads = False
    second.save(update_fields=["accepts_leads"])
    lead = assigned_lead()
    clock.shift(timedelta(hours=3))
    assert sla.handle_sla_breaches() == 1
    lead.refresh_from_db()
    assert lead.owner == first
    assert LeadSla.objects.get(lead=lead).reassigned_at is None
    assert Event.objects.filter(lead=lead, summary__startswith="Not reassigned").count() == 1


def test_a_rule_without_reassignment_only_notifies(world, clock):
    _team, (first, _second, _full), _policy, rule = world
    rule.reassign_on_breach = False
    rule.save(update_fields=["reassign_on_breach"])
    lead = assigned_lead()
    clock.shift(timedelta(hours=3))
    assert sla.handle_sla_breaches() == 1
    lead.refresh_from_db()
    assert lead.owner == first
    assert Notification.objects.count() == 2


def test_a_crash_between_claim_and_effect_is_finished_by_the_next_run_once(world, clock, monkeypatch):
    lead = assigned_lead()
    clock.shift(timedelta(hours=3))
    real_notify = sla._notify_breach

    def crash(*args, **kwargs):
        raise RuntimeError("worker died")

    monkeypatch.setattr(sla, "_notify_breach", crash)
    with pytest.raises(RuntimeError):
        sla.handle_sla_breaches()
    assert LeadSla.objects.get(lead=lead).breached_at is None  # the claim went with the failed effect

    monkeypatch.setattr(sla, "_notify_breach", real_notify)
    assert sla.handle_sla_breaches() == 1
    assert sla.handle_sla_breaches() == 0
    assert Notification.objects.count() == 2
    assert Event.objects.filter(lead=lead, data__method="sla_breach").count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_notify_once_and_reassign_once():
    with time_machine.travel(TUESDAY_10, tick=False) as traveller:
        team = TeamFactory(name="Race", manager=UserFactory(username="raceboss", role="manager"))
        reps = [UserFactory(username=f"race{i}", role="rep", team=team) for i in range(3)]
        policy = SlaPolicy.objects.create(name="Two hours", target_minutes=120, time_zone="UTC", team=team)
        AssignmentRuleFactory(target_team=team, sla_policy=policy, reassign_on_breach=True)
        leads = [assigned_lead() for _ in range(6)]
        traveller.shift(timedelta(hours=3))
        barrier, errors, handled = threading.Barrier(2), [], []

        def run() -> None:
            try:
                barrier.wait()
                handled.append(sla.handle_sla_breaches())
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert sum(handled) == len(leads)
    assert Notification.objects.count() == 2 * len(leads)
    assert Event.objects.filter(data__method="sla_breach").count() == len(leads)
    for lead in leads:
        before = LeadSla.objects.get(lead=lead).owner_id
        lead.refresh_from_db()
        assert lead.owner_id != before and lead.owner_id in {rep.pk for rep in reps}


@pytest.mark.parametrize(
    ("minutes_later", "state", "text"),
    [(0, "running", "Due in 2 h"), (100, "at_risk", "At risk"), (150, "breached", "SLA breached")],
)
def test_the_lead_page_shows_the_clock(world, clock, client, minutes_later, state, text):
    lead = assigned_lead()
    clock.shift(timedelta(minutes=minutes_later))
    client.force_login(lead.owner)
    body = client.get(f"/leads/{lead.pk}/").content.decode()
    assert f'data-sla-clock="{state}"' in body and text in body


def test_the_lead_page_shows_a_met_target(world, clock, client):
    lead = assigned_lead()
    clock.shift(timedelta(minutes=45))
    log_activity(by=lead.owner, kind="call", subject="Hi", lead=lead)
    assert LeadSla.objects.get(lead=lead).touch_minutes == 45
    client.force_login(lead.owner)
    assert "Within SLA" in client.get(f"/leads/{lead.pk}/").content.decode()


def test_lists_filter_breached_and_at_risk_leads(world, clock, client, api):
    team = world[0]
    breached = assigned_lead(last_name="Breached")
    clock.shift(timedelta(minutes=40))
    at_risk = assigned_lead(last_name="Atrisk")
    clock.shift(timedelta(minutes=40))
    fresh = assigned_lead(last_name="Fresh")
    clock.shift(timedelta(minutes=50))  # 130, 90 and 50 minutes into their 120-minute targets
    ids = {
        value: {row["id"] for row in api(team.manager).get("/api/v1/leads/", {"sla": value}).json()["results"]}
        for value in ("breached", "at_risk")
    }
    assert breached.pk in ids["breached"] and not ids["breached"] & {at_risk.pk, fresh.pk}
    assert at_risk.pk in ids["at_risk"] and not ids["at_risk"] & {breached.pk, fresh.pk}
    assert api(team.manager).get("/api/v1/leads/", {"sla": "late"}).status_code == 400
    client.force_login(team.manager)
    page = client.get("/leads/", {"sla": "breached", "owner": "all"}).content.decode()
    assert "Breached" in page and "Atrisk" not in page and "Fresh" not in page


def test_only_managers_and_admins_configure_policies(rep, manager):
    from django.core.exceptions import ValidationError

    from core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_sla_policy(by=rep, name="Mine", target_minutes=60)
    policy = services.create_sla_policy(by=manager, name="East", target_minutes=60, time_zone="Europe/Berlin")
    with pytest.raises(ValidationError) as error:
        services.update_sla_policy(
            policy, by=manager, data={"time_zone": "Mars/Olympus", "working_days": [7], "holidays": ["someday"]}
        )
    assert set(error.value.message_dict) == {"time_zone", "working_days", "holidays"}


def test_a_rule_links_a_policy_through_the_rules_service(world, admin):
    _team, _reps, _policy, rule = world
    services.update_assignment_rule(rule, by=admin, data={"sla_policy": None, "reassign_on_breach": False})
    rule.refresh_from_db()
    assert (rule.sla_policy, rule.reassign_on_breach) == (None, False)


def test_the_clock_follows_the_policy_zone_and_holidays_over_a_clock_change(world, clock):
    _team, _reps, policy, _rule = world
    policy.time_zone, policy.holidays = "America/New_York", ["2026-11-02"]
    policy.save(update_fields=["time_zone", "holidays"])
    clock.move_to(datetime(2026, 10, 30, 20, tzinfo=UTC))  # Friday 16:00 in New York (EDT)
    lead = assigned_lead()
    # one hour on Friday, Monday is a holiday, one hour on Tuesday after the change to EST (UTC-5)
    assert LeadSla.objects.get(lead=lead).due_at == datetime(2026, 11, 3, 15, tzinfo=UTC)
