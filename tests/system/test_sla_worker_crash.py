"""A worker SIGKILLed while it handles a missed first-touch target: the breach is still handled exactly once.

The kill lands at a known point, held there by a second session:

- **mid-transaction**: the session holds the notifications table (SHARE), so the worker blocks on its first notice,
  right after its claim — killed there, nothing it did commits, and the next worker handles the breach once;
- **at COMMIT**: the session holds the owner's user row, which the notice's (deferred) foreign key checks at COMMIT
  — killed there, PostgreSQL still commits what it was asked to, and the next worker only emails the notices that
  were left pending, once.
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


def _waiting_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.query FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE NOT l.granted AND a.pid <> %s",
            [connection.connection.info.backend_pid],
        )
        return [query for (query,) in cursor.fetchall()]


@pytest.mark.parametrize(
    ("hold", "waits_in"),
    [
        ("LOCK TABLE activities_notification IN SHARE MODE", "INSERT"),
        ("SELECT id FROM users_user WHERE id = {owner} FOR UPDATE", "COMMIT"),
    ],
    ids=["mid-transaction", "at-commit"],
)
def test_a_worker_killed_mid_breach_and_the_next_one_handle_it_exactly_once(tmp_path, hold, waits_in):
    # given: a lead whose first-touch target passed an hour ago, under a rule that reassigns on breach
    team = TeamFactory(name="Inside", manager=UserFactory(username="boss", role="manager"))
    first, second = (UserFactory(username=f"inside{i}", role="rep", team=team) for i in (1, 2))
    policy = SlaPolicy.objects.create(name="Two hours", target_minutes=120, time_zone="UTC", team=team)
    AssignmentRuleFactory(target_team=team, sla_policy=policy, reassign_on_breach=True)
    lead = services.assign_lead(LeadFactory())
    owner = lead.owner
    past = timezone.now() - timedelta(hours=1)
    LeadSla.objects.filter(lead=lead).update(due_at=past, at_risk_at=past - timedelta(minutes=30))
    purge()

    locker = connections.create_connection("default")
    killed = survivor = None
    try:
        with locker.cursor() as cursor:
            locker.set_autocommit(False)
            cursor.execute(hold.format(owner=int(owner.pk)))

        killed = start_worker("sla-1", tmp_path)
        send(TASK)
        assert wait_until(lambda: bool(_waiting_statements()), timeout=30), killed.log.read_text()
        assert _waiting_statements()[0].lstrip().upper().startswith(waits_in)
        kill(killed)
        locker.rollback()
        assert wait_until(lambda: not _waiting_statements(), timeout=30)

        clock = LeadSla.objects.get(lead=lead)
        if waits_in == "INSERT":  # the claim went down with the worker
            assert clock.breached_at is None and not Notification.objects.exists()
        else:  # committed, but the worker died before emailing
            # The orphaned backend finishes its COMMIT once the lock is free: a moment after it stops waiting.
            assert wait_until(lambda: LeadSla.objects.get(lead=lead).breached_at is not None, timeout=30)
            assert set(Notification.objects.values_list("email_status", flat=True)) == {"pending"}

        survivor = start_worker("sla-2", tmp_path)
        send(TASK)  # the next beat tick
        send(TASK)  # and the one after, with nothing left to do
        assert wait_until(lambda: survivor.log.read_text().count("succeeded") >= 2, timeout=30), (
            survivor.log.read_text()
        )
    finally:
        locker.close()
        kill(killed)
        kill(survivor)

    # then: one notice each to the owner and the manager, each emailed once, one breach entry, one reassignment
    notices = Notification.objects.order_by("user__username")
    assert [(n.user.username, n.email_status) for n in notices] == sorted([("boss", "sent"), (owner.username, "sent")])
    assert Event.objects.filter(lead=lead, kind="sla_breached").count() == 1
    assert Event.objects.filter(lead=lead, data__method="sla_breach").count() == 1
    lead.refresh_from_db()
    assert lead.owner_id != owner.pk and lead.owner_id in {first.pk, second.pk}
    clock = LeadSla.objects.get(lead=lead)
    assert clock.breached_at is not None and clock.reassigned_at is not None
