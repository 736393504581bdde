"""Beat runs twice by mistake: every periodic task started twice at once does its work once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from activities.models import Event
from crm.celery import app
from leads.models import Lead
from nurture.models import Delivery, Enrollment, Sequence
from scoring.models import ScoringRule, ScoringRun
from scoring.rules import MQL_EVENT_KIND
from scoring.services import explain_score
from tests.factories import AssignmentRuleFactory, StepFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _twice_at_once(task_name: str) -> None:
    """Run one beat entry's task in two threads lined up on a barrier, as two beats would start it."""
    entry = next(entry for entry in app.conf.beat_schedule.values() if entry["task"] == task_name)
    app.loader.import_default_modules()  # registers every app's tasks, as a worker does at start
    task = app.tasks[task_name]
    barrier, errors = threading.Barrier(2), []

    def run() -> None:
        try:
            barrier.wait()
            task(*entry.get("args", ()), **entry.get("kwargs", {}))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [], task_name


def test_every_periodic_task_run_twice_at_once_does_its_work_once():
    # given: unscored, unowned leads older than the assignment grace period, a rule-based sequence, a wrong score
    owner = UserFactory(username="twice", role="rep")
    AssignmentRuleFactory(order=1, target_user=owner)
    ScoringRule.objects.all().delete()
    ScoringRule.objects.create(name="German", field="country", operator="equals", value="Germany", points=60)
    sequence = Sequence.objects.create(
        name="Twice", trigger=Sequence.Trigger.SOURCE, trigger_source="web_form",
        send_days="0123456", send_start_hour=0, send_end_hour=24,
    )  # fmt: skip
    StepFactory(sequence=sequence, order=1)
    Lead.objects.bulk_create(
        Lead(first_name=f"B{n}", last_name="Beat", email=f"beat{n}@example.test", source="web_form",
             country="Germany" if n % 2 else "Spain")
        for n in range(40)
    )  # fmt: skip
    Lead.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    mail.outbox = []
    scheduled = {entry["task"] for entry in app.conf.beat_schedule.values()}

    # when: beat's every entry fires twice at once, in the order a fresh beat would run them
    for task_name in (
        "scoring.tasks.score_unscored_leads_task",
        "assignment.tasks.assign_unassigned_leads_task",
        "nurture.tasks.sweep_nurture_task",
        "nurture.tasks.send_due_steps_task",
        "scoring.tasks.rescore_all_leads_bulk_task",
        "core.tasks.purge_idempotency_keys_task",
        "imports.tasks.purge_import_files_task",
        "core.tasks.heartbeat_task",
    ):
        assert task_name in scheduled
        _twice_at_once(task_name)

    # then: each lead assigned once, enrolled once, mailed once, scored right; one rescore run
    leads = Lead.objects.filter(last_name="Beat")
    assert Counter(Event.objects.filter(kind="assigned").values_list("lead_id", flat=True)) == Counter(
        {lead.pk: 1 for lead in leads}
    )
    assert set(leads.values_list("owner__username", flat=True)) == {"twice"}
    assert Enrollment.objects.filter(sequence=sequence).count() == 40
    enrolled_events = Counter(Event.objects.filter(kind="nurture_enrolled").values_list("lead_id", flat=True))
    assert enrolled_events == Counter({lead.pk: 1 for lead in leads})
    assert Delivery.objects.count() == 40
    # One nurture email per lead, and the new owner's one digest of the leads the sweep gave them.
    expected = Counter({f"{lead.first_name} {lead.last_name} <{lead.email}>": 1 for lead in leads})
    assert Counter(message.to[0] for message in mail.outbox) == expected + Counter({"twice@example.test": 1})
    assert ScoringRun.objects.count() == 1
    mql = Counter(Event.objects.filter(kind=MQL_EVENT_KIND).values_list("lead_id", flat=True))
    assert mql == Counter({lead.pk: 1 for lead in leads.filter(country="Germany")})
    for lead in leads:
        assert lead.score == explain_score(lead)["score"]
