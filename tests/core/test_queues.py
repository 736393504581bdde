"""Every task lands on a queue some worker reads: `make run`'s one worker, the compose stack's per-queue services
and the scale-out twin's workers."""

import re
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from crm.celery import app

ROOT = Path(__file__).resolve().parents[2]
app.loader.import_default_modules()  # what a worker imports as it starts: every app's tasks module
APPS_TASKS = [name for name in sorted(app.tasks) if not name.startswith("celery.")]


def _route(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


def _queues_of(command: str) -> set[str]:
    match = re.search(r"(?:--queues[= ]|-Q )(\S+)", command)
    assert match, f"a worker without -Q reads only the default queue: {command}"
    return set(match.group(1).split(","))


def _compose_workers() -> dict[str, set[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    commands = {name: str(service.get("command", "")) for name, service in services.items()}
    return {name: _queues_of(command) for name, command in commands.items() if "celery -A crm worker" in command}


def test_the_apps_tasks_are_all_found():
    assert len(APPS_TASKS) > 30
    assert {"scoring.tasks.score_lead_task", "imports.tasks.run_import_bulk_task", "core.tasks.heartbeat_task"} <= set(
        APPS_TASKS
    )


@pytest.mark.parametrize("task_name", APPS_TASKS)
def test_every_task_is_routed_to_a_declared_queue_that_workers_read(task_name):
    queue = _route(task_name)

    assert queue in settings.FUNNEL_QUEUES
    procfile = (ROOT / "Procfile").read_text()
    assert queue in _queues_of(re.search(r"^worker: (.*)$", procfile, re.MULTILINE).group(1))
    assert any(queue in queues for queues in _compose_workers().values())


def test_make_runs_one_worker_on_every_queue():
    procfile = (ROOT / "Procfile").read_text()
    assert _queues_of(re.search(r"^worker: (.*)$", procfile, re.MULTILINE).group(1)) == set(settings.FUNNEL_QUEUES)


def test_compose_runs_one_worker_service_per_queue():
    assert _compose_workers() == {f"worker-{queue}": {queue} for queue in settings.FUNNEL_QUEUES}


def test_beat_entries_name_tasks_not_queues():
    for name, entry in app.conf.beat_schedule.items():
        assert "queue" not in entry.get("options", {}), f"{name}: route it in CELERY_TASK_ROUTES"
        assert entry["task"] in app.tasks, name


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("scoring.tasks.score_lead_task", "scoring"),
        ("scoring.tasks.score_unscored_leads_task", "scoring"),
        ("assignment.tasks.assign_lead_task", "assignment"),
        ("assignment.tasks.notify_new_owner_task", "assignment"),
        ("nurture.tasks.send_due_steps_task", "nurture"),
        ("nurture.tasks.send_record_email_task", "nurture"),
        # Long jobs stay off the per-lead queues.
        ("imports.tasks.run_import_bulk_task", "imports"),
        ("scoring.tasks.rescore_all_leads_bulk_task", "imports"),
        ("scoring.tasks.train_conversion_model_task", "imports"),
        ("scoring.tasks.predict_leads_task", "imports"),
        ("assignment.tasks.assign_unassigned_leads_task", "imports"),
        ("integrations.salesforce.bulk.tasks.run_bulk_job_bulk_task", "imports"),
        ("core.tasks.heartbeat_task", "default"),
        ("integrations.webhooks.tasks.deliver_webhooks_task", "default"),
    ],
)
def test_short_kicks_and_long_jobs_go_to_their_own_queues(task_name, queue):
    assert _route(task_name) == queue
