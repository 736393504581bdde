"""Fixtures shared by the whole suite, and the rule for tests that need real parts.

A test marked `redis`, `worker`, `chromium` or `replica` is skipped on a developer
machine that lacks the part, but FAILS when `CI=true`: CI must never pass by
skipping. `postgres` and `worker` tests are deselected when the run's database is SQLite
(the embedded default run) and run in the PostgreSQL run; `embedded` tests (the SQLite file's own features:
backup and restore) run in the SQLite run only.
"""

from __future__ import annotations

import importlib
import os
import shutil
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections
from rest_framework.test import APIClient

from activities.services import log_activity
from core import replica
from core.replica import REPLICA, replica_configured
from opportunities.models import OpportunityContactRole
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory, TeamFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
CHROMIUM = os.environ.get("FUNNEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


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
        return _missing_chromium()
    if "replica" in names and not replica_configured():
        return "the `replica` database alias is missing (crm/settings/test.py adds it on PostgreSQL)"
    return None


def _missing_chromium() -> str | None:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        return f"Chromium is not installed at {CHROMIUM}"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    return None


def _skip_or_fail(problem: str) -> None:
    if IN_CI:
        pytest.fail(f"CI needs this part but it is missing: {problem}", pytrace=False)
    pytest.skip(problem)


def pytest_collection_modifyitems(config, items):
    if settings.IS_POSTGRES:
        # Features of the embedded default alone (its SQLite file: backup and restore) run in the SQLite run.
        embedded = [item for item in items if item.get_closest_marker("embedded")]
        if embedded:
            config.hook.pytest_deselected(items=embedded)
            items[:] = [item for item in items if not item.get_closest_marker("embedded")]
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
        _skip_or_fail(problem)


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


@pytest.fixture(autouse=True)
def _replica_in_the_test_transaction(request):
    """Let the report views' replica reads see the test's rows: the alias shares default's connection.

    The `replica` alias is a test mirror of default (crm/settings/test.py), but a connection of its own sees neither
    a `django_db` test's open transaction nor is it allowed in a test that did not ask for it. Tests that name it in
    `databases` (tests/core/test_replica.py) keep the separate connection and see where each query went.
    """
    if not replica_configured():
        yield
        return
    if "live_server" in request.fixturenames:
        # The live server answers from threads of its own, whose connections a test may neither share nor open to
        # an alias it did not ask for: there the reports read the primary (tests/core/test_replica.py covers the
        # routing itself).
        request.getfixturevalue("monkeypatch").setattr(replica, "replica_configured", lambda: False)
        yield
        return
    marker = request.node.get_closest_marker("django_db")
    uses_db = marker or {"db", "transactional_db", "live_server"} & set(request.fixturenames)
    databases = (marker.kwargs.get("databases") if marker else None) or ()
    if not uses_db or databases == "__all__" or REPLICA in databases:
        yield
        return
    request.getfixturevalue("_django_db_helper")
    own = connections[REPLICA]
    connections[REPLICA] = connections["default"]
    try:
        yield
    finally:
        connections[REPLICA] = own


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


@pytest.fixture
def fresh_throttles():
    """Throttle counters live in the cache; a module that uses this starts each test with none.

    Used by the API suites (`pytestmark = pytest.mark.usefixtures("fresh_throttles")`), not autouse: with REDIS_URL
    set the cache is Redis, and the other suites (workers, outages) are not meant to have it flushed.
    """
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def deal_world(rep):
    """An account of `rep` with five contacts and five deals, each deal with its contact's role and a note."""
    account = AccountFactory(owner=rep, name="Globex")
    contacts = [ContactFactory(owner=rep, account=account) for _ in range(5)]
    deals = [OpportunityFactory(owner=rep, account=account, amount="1000.00") for _ in range(5)]
    for deal, contact in zip(deals, contacts, strict=True):
        OpportunityContactRole.objects.create(opportunity=deal, contact=contact, role="Buyer", is_primary=True)
        log_activity(by=rep, kind="note", subject="Deal note", opportunity=deal, account=account, contact=contact)
    return account, contacts, deals


# --- browser ------------------------------------------------------------------------------------------------
# Tests that drive Chromium are marked `chromium` and take `page` (a fresh page), `new_context` (to set cookies,
# init scripts or a viewport first) or `browser`.


@pytest.fixture(scope="module")
def browser():
    """The system Chromium under Playwright, one per test module.

    Not session-scoped: while Playwright's sync API is open, the main thread has a running asyncio loop, and every
    Django call on it needs DJANGO_ALLOW_ASYNC_UNSAFE; one browser per module keeps that to the browser modules.
    """
    problem = _missing_chromium()
    if problem:
        _skip_or_fail(problem)
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # The tests' and fixtures' ORM calls run beside Playwright's event loop.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser):
    """`new_context(**options)` opens a browser context (its own cookies and storage); all are closed after the test."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    """A page in a fresh browser context."""
    return new_context().new_page()


@pytest.fixture
def default_stages(transactional_db):
    """Re-seed the default stages that an earlier transactional test's flush may have removed (browser tests)."""
    from django.apps import apps

    importlib.import_module("opportunities.migrations.0003_seed_stages").seed_stages(apps, None)
