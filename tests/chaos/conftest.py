"""Write the chaos suite's recovery times when FUNNEL_CHAOS_RESULTS names a file (`make chaos` does)."""

from __future__ import annotations

import os

import pytest

from tests.chaos import harness
from tests.system.workers import purge


@pytest.fixture
def sweeper(tmp_path):
    """Beat's lease sweep every second, on a worker of its own; the queues start empty."""
    purge()
    sweeper = harness.Sweeper(tmp_path)
    yield sweeper
    sweeper.stop()


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("FUNNEL_CHAOS_RESULTS")
    if path and harness.RESULTS:
        harness.write_results(path)
