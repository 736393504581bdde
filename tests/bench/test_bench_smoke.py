"""`make bench` end to end at a tiny scale: every figure is measured and reports numbers.

No timing is asserted: the figures are for bench/README.md, not for pass/fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings

from bench.run import FIGURES

ROOT = Path(__file__).resolve().parents[2]


def _bench_database_url() -> str:
    # A database of its own next to the test database: the suite drops and re-creates it.
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{settings.DATABASES['default']['NAME']}_bench"))


@pytest.mark.postgres
@pytest.mark.redis
def test_the_benchmark_runs_end_to_end_at_a_tiny_scale_and_reports_every_figure(tmp_path):
    output = tmp_path / "latest.json"
    redis_url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"

    completed = subprocess.run(
        [sys.executable, "bench/run.py", "--scale", "0.001", "--load-seconds", "2", "--database-url",
         _bench_database_url(), "--output", str(output)],
        cwd=ROOT, env=os.environ | {"REDIS_URL": redis_url}, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip

    assert completed.returncode == 0, completed.stderr[-3000:]
    results = json.loads(output.read_text())
    assert set(results["figures"]) == set(FIGURES)
    for name, figure in results["figures"].items():
        assert figure["status"] == "ok", (name, figure["status"])
        assert figure["rows"], name
        for line in figure["rows"]:
            assert isinstance(line["value"], int | float), (name, line)
    assert results["figures"]["import"]["details"]["created"] > 0
    assert results["figures"]["scoring"]["rows"][-1]["value"] == 0  # rescoring wrote the hand UPDATE's scores
    assert results["figures"]["nurture"]["details"]["due"] == 10
    activity = results["figures"]["activity"]["details"]
    assert activity["admin_mismatches"] == activity["manager_mismatches"] == 0  # the selector counts as the SQL does
    assert results["figures"]["assignment"]["details"]["assigned"] == 100
    assert results["figures"]["load_test"]["rows"][-1]["label"] == "errors"
    assert "figure" in completed.stdout and "plain COPY" in completed.stdout


def test_the_benchmark_says_plainly_when_postgresql_is_missing(tmp_path):
    completed = subprocess.run(
        [sys.executable, "bench/run.py", "--database-url", "postgres://postgres@127.0.0.1:1/funnel_bench",
         "--output", str(tmp_path / "x.json")],
        cwd=ROOT, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert completed.returncode == 2
    assert "make bench needs PostgreSQL and Redis. PostgreSQL is not reachable at 127.0.0.1:1" in completed.stderr
    assert not (tmp_path / "x.json").exists()
