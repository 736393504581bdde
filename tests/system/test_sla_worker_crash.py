"""A worker SIGKILLed while it handles a missed first-touch target: the next worker handles it, exactly once.

The kill lands at a known point: a second session holds the owner's user row, so the worker's breach handling
blocks right after its claim (the owner's notification must check that row) — claim made, nothing committed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from activities.models import Event, Notification
from assignment import services
from assignment.models import LeadSla, SlaPolicy
from tests.factories import AssignmentRuleFactory, LeadFactory, TeamFactory, UserFactory
from tests.system.workers import kill, purge, send, start_worker, wait_until

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TASK = "assignment.tasks.handle_sla_breaches_task"


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_breach_leaves_nothing_and_the_next_one_handles_it_once(tmp_path):
    # given: a lead whose first-touch target passed an hour ago, under a rule that reassigns on breach
    team = TeamFactory(name="Inside", manager=UserFactory(username="boss", role="manager"))
    first, second = (UserFactory(username=f"inside{i}", role="rep", team=team) for i in (1, 2))
    policy = SlaPolicy.objects.create(name="Two hours", target_minutes=120, time_zone="UTC", team=team)
    AssignmentRuleFactory(target_team=team, sla_policy=policy, reassign_on_breach=True)
    lead = services.assign_lead(LeadFactory())
    owner = lead.owner
    past = timezone.now() - timedelta(hours=1)
    LeadSla.objects.filter(lead=lead).update(due_at=past, at_risk_at=past - timedelta(minutes=30))
    purge("default")

    locker = connections.create_connection("default")
    killed = survivor = None
    try:
        with locker.cursor() as cursor:
            locker.set_autocommit(False)
            cursor.execute("SELECT id FROM users_user WHERE id = %s FOR UPDATE", [owner.pk])

        killed = start_worker("sla-1", tmp_path)
        send(TASK, queue="default")
        assert wait_until(_waiting_on_a_lock, timeout=30), killed.log.read_text()
        kill(killed)  # claimed, notifying: the transaction never commits
        locker.rollback()

        assert wait_until(lambda: not _waiting_on_a_lock(), timeout=30)
        clock = LeadSla.objects.get(lead=lead)
        assert clock.breached_at is None and clock.notified_at is None
        assert not Notification.objects.exists()

        survivor = start_worker("sla-2", tmp_path)
        send(TASK, queue="default")  # the next beat tick
        assert wait_until(lambda: LeadSla.objects.filter(lead=lead, notified_at__isnull=False).exists(), timeout=30), (
            survivor.log.read_text()
        )
        send(TASK, queue="default")  # and the one after finds nothing to do
        assert wait_until(lambda: survivor.log.read_text().count("succeeded") >= 2, timeout=30)
    finally:
        locker.close()
        kill(killed)
        kill(survivor)

    # then: one notice each to the owner and the manager, one breach on the timeline, one reassignment
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == ["boss", owner.username]
    assert Event.objects.filter(lead=lead, kind="sla_breached").count() == 1
    assert Event.objects.filter(lead=lead, data__method="sla_breach").count() == 1
    lead.refresh_from_db()
    assert lead.owner_id != owner.pk and lead.owner_id in {first.pk, second.pk}
    clock = LeadSla.objects.get(lead=lead)
    assert clock.breached_at is not None and clock.reassigned_at is not None
