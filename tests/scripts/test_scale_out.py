"""`make scale-out` for a few seconds: two web processes, two workers per queue and a beat serve the mixed load with
no error, and the queue workers process every lead the load created."""

import json
import subprocess
import sys
import time

import pytest
from django.conf import settings

from tests.conftest import REDIS_URL
from tests.system.workers import ROOT, database_url

pytestmark = [pytest.mark.worker, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_the_twin_serves_the_mixed_load_across_processes_and_its_workers_process_every_lead(tmp_path):
    report = tmp_path / "scale-out.json"
    command = [sys.executable, "scripts/scale_out.py", "--seconds", "3", "--web-workers", "1",
               "--database-url", database_url(), "--redis-url", REDIS_URL, "--var-dir", str(tmp_path / "var"),
               "--settle-seconds", "20", "--json", str(report)]  # fmt: skip
    started = time.monotonic()

    finished = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=170, check=False)

    print(finished.stdout, finished.stderr[-3000:], f"wall {time.monotonic() - started:.0f} s", sep="\n")
    assert finished.returncode == 0
    result = json.loads(report.read_text())
    assert result["errors"] == [] and result["failed_tasks"] == []
    assert result["leads_written"] > 0
    assert result["leads_missing"] == [] and result["leads_unprocessed"] == []
    assert len(result["per_web_process"]) == 2  # the load reached both web processes
    ran = result["tasks_by_worker"]
    assert set(ran) == {f"worker-{queue}-{n}" for queue in settings.FUNNEL_QUEUES for n in (1, 2)}
    # every lead was scored and assigned by the workers of those queues, and only theirs
    for queue, task in [
        ("scoring", "scoring.tasks.score_lead_task"),
        ("assignment", "assignment.tasks.assign_lead_task"),
    ]:
        assert sum(ran[f"worker-{queue}-{n}"].get(task, 0) for n in (1, 2)) >= result["leads_written"]
        assert not any(task in tasks for name, tasks in ran.items() if not name.startswith(f"worker-{queue}-"))
