"""A short mixed load through gunicorn on loopback: no errors, and every acknowledged lead is stored."""

import pytest

from bench.load_mixed import run
from tests.system.workers import database_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_reps_browsing_while_integrations_write_see_no_error_and_lose_no_lead():
    report = run(database_url(), seconds=5, reps=3, integrations=2)

    print("\n".join(report.lines()))
    assert report.errors == []
    assert len(report.written) > 0
    assert report.missing == []
    assert {"GET /leads/", "GET /api/v1/leads/", "POST /api/v1/leads/", "POST /web-to-lead/"} <= set(report.latencies)
