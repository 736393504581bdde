"""Fixtures shared by the whole suite, and the rule for tests that need real parts.

A test marked `redis`, `worker` or `chromium` is skipped on a developer
machine that lacks the part, but FAILS when `CI=true`: CI must never pass by
skipping. `postgres` and `worker` tests are deselected when the run's database is SQLite
(the embedded default run) and run in the PostgreSQL run.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.factories import TeamFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
CHROMIUM = os.environ.get("FUNNEL_CHROMIUM", "/usr/bin/chromium")


def _reachable(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=1):
            return True
    except OSError:
        return False


def _missing_part(item) -> str | None:
    names = {mark.name for mark in item.iter_markers()}
    if names & {"redis", "worker"} and not _reachable(REDIS_URL):
        return f"Redis is not reachable at {REDIS_URL}"
    if "chromium" in names:
        if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
            return f"Chromium is not installed at {CHROMIUM}"
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "the playwright package is not installed"
    return None


def pytest_collection_modifyitems(config, items):
    if settings.IS_POSTGRES:
        return
    kept, dropped = [], []
    for item in items:
        (dropped if item.get_closest_marker("postgres") or item.get_closest_marker("worker") else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
        config._funnel_postgres_deselected = len(dropped)


def pytest_runtest_setup(item):
    problem = _missing_part(item)
    if problem:
        if IN_CI:
            pytest.fail(f"CI needs this part but it is missing: {problem}", pytrace=False)
        pytest.skip(problem)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    dropped = getattr(config, "_funnel_postgres_deselected", 0)
    if dropped:
        terminalreporter.write_line(
            f"{dropped} PostgreSQL-only tests were deselected: this run's database is SQLite "
            "(they run when DATABASE_URL points at PostgreSQL)."
        )


@pytest.fixture(autouse=True)
def _default_stages(request):
    """Re-seed the default stages (a data migration) that a transactional test's flush removed."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if not uses_db:
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps

    from opportunities.models import Stage

    if not Stage.objects.exists():
        importlib.import_module("opportunities.migrations.0003_seed_stages").seed_stages(apps, None)


@pytest.fixture
def rep(db):
    return UserFactory(username="rep1", role="rep")


@pytest.fixture
def other_rep(db):
    return UserFactory(username="rep2", role="rep")


@pytest.fixture
def team(db, rep):
    manager = UserFactory(username="manager1", role="manager")
    team = TeamFactory(name="East", manager=manager)
    rep.team = team
    rep.save(update_fields=["team"])
    return team


@pytest.fixture
def manager(team):
    return team.manager


@pytest.fixture
def admin(db):
    return UserFactory(username="admin1", role="admin")


@pytest.fixture
def api():
    """`api(user)` returns an API client authenticated as `user` (or anonymous for None)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
