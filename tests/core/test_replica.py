"""The read replica (core/replica.py): reports and exports read from it, writes and everything else from default.

On PostgreSQL the test settings always add the `replica` alias, a test mirror of default: a separate connection to
the same test database. The tests that watch it are transactional (the replica's connection sees committed rows
only) and capture each connection's queries.
"""

from __future__ import annotations

import os
import subprocess
import sys
from contextlib import ExitStack
from datetime import date
from pathlib import Path

import pytest
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import replica
from core.replica import REPLICA, ReplicaRouter, reading_replica
from leads.models import Lead
from tests.factories import LeadFactory

ROOT = Path(__file__).resolve().parents[2]
# The session, the signed-in user and its two-factor devices are read before the view, on the primary.
SIGN_IN_TABLES = ("django_session", "users_user", "otp_totp_totpdevice", "otp_static_staticdevice")
TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")


class Queries:
    """The SQL each connection ran inside the block: `.default` and `.replica`."""

    def __enter__(self):
        self._stack = ExitStack()
        self._default = self._stack.enter_context(CaptureQueriesContext(connections["default"]))
        self._replica = self._stack.enter_context(CaptureQueriesContext(connections[REPLICA]))
        return self

    def __exit__(self, *exc):
        self._stack.close()

    @property
    def default(self) -> list[str]:
        return [query["sql"] for query in self._default.captured_queries]

    @property
    def replica(self) -> list[str]:
        return [query["sql"] for query in self._replica.captured_queries]


def _strays(queries: Queries) -> list[str]:
    """The queries that went to the primary, other than the session and the signed-in user and their transactions."""
    return [
        sql
        for sql in queries.default
        if not sql.startswith(TRANSACTION_CONTROL) and not any(f'"{table}"' in sql for table in SIGN_IN_TABLES)
    ]


@pytest.mark.parametrize(
    "url",
    [
        reverse("dashboards:dashboard"),
        reverse("dashboards:activity"),
        reverse("dashboards:sla"),
        reverse("dashboards:campaigns"),
        reverse("dashboards:forecast"),
    ],
)
@pytest.mark.postgres
@pytest.mark.replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_a_report_page_reads_from_the_replica(client, manager, rep, url):
    # given
    LeadFactory(owner=rep, source="webinar")
    client.force_login(manager)
    # when
    with Queries() as queries:
        response = client.get(url)
    # then
    assert response.status_code == 200
    assert queries.replica, "the page read nothing from the replica"
    assert _strays(queries) == []


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reports/funnel/",
        "/api/v1/reports/activity/",
        "/api/v1/reports/sla/",
        "/api/v1/reports/forecast/",
        "/api/v1/reports/campaigns/",
    ],
)
@pytest.mark.postgres
@pytest.mark.replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_a_report_api_reads_only_from_the_replica(api, manager, rep, url):
    # given
    LeadFactory(owner=rep)
    client = api(manager)
    # when
    with Queries() as queries:
        response = client.get(url)
    # then
    assert response.status_code == 200, response.content
    assert queries.replica
    assert queries.default == []


@pytest.mark.parametrize(
    "name",
    [
        ("dashboards:export", ["by_owner"]),
        ("dashboards:export-xlsx", ["by_source"]),
        ("dashboards:sla-export", ["rep"]),
        ("dashboards:forecast-export-xlsx", ["reps"]),
    ],
    ids=lambda name: name[0].split(":")[1],
)
@pytest.mark.postgres
@pytest.mark.replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_an_export_reads_from_the_replica(client, manager, rep, name):
    # given
    LeadFactory(owner=rep, source="referral")
    client.force_login(manager)
    # when
    with Queries() as queries:
        response = client.get(reverse(name[0], args=name[1]))
    # then
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert queries.replica
    assert _strays(queries) == []


@pytest.mark.postgres
@pytest.mark.replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_the_weekly_digest_reads_its_figures_from_the_replica(manager, rep):
    # given
    from dashboards.digest import build_digest_email

    LeadFactory(owner=rep, source="webinar")
    # when
    with Queries() as queries:
        message = build_digest_email(manager, date(2026, 11, 30))
    # then
    assert "Your week in Funnel CRM" in message.subject
    assert queries.replica, "the digest read nothing from the replica"
    assert _strays(queries) == []


@pytest.mark.postgres
@pytest.mark.replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_a_write_request_reads_and_writes_only_the_primary(api, rep):
    # given
    client = api(rep)
    # when
    with Queries() as queries:
        created = client.post("/api/v1/leads/", {"last_name": "Doe", "email": "doe@acme.test"})
        listed = client.get("/api/v1/leads/")
    # then
    assert created.status_code == 201, created.content
    assert [row["id"] for row in listed.json()["results"]] == [created.json()["id"]]
    assert any(sql.startswith("INSERT") for sql in queries.default)
    assert queries.replica == []


@pytest.mark.postgres
@pytest.mark.replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_visibility_holds_on_the_replica(api, rep, other_rep, team, manager):
    # given: rep's lead, in the East team that other_rep is not in
    LeadFactory(owner=rep, source="webinar")
    # when
    with Queries() as queries:
        mine = api(rep).get("/api/v1/reports/funnel/").json()
        theirs = api(other_rep).get("/api/v1/reports/funnel/").json()
        managers_team = api(manager).get("/api/v1/reports/sla/", {"team": team.pk})
        strangers_team = api(other_rep).get("/api/v1/reports/sla/", {"team": team.pk})
    # then
    assert mine["stages"][0]["count"] == 1
    assert theirs["stages"][0]["count"] == 0
    assert all(row["leads"] == 0 for row in theirs["by_source"])
    assert managers_team.status_code == 200
    assert strangers_team.status_code == 404
    assert queries.replica
    assert queries.default == []


def test_reads_go_to_the_replica_only_inside_a_report():
    router_ = ReplicaRouter()
    assert router_.db_for_read(Lead) is None
    with reading_replica():
        assert router_.db_for_read(Lead) == (REPLICA if replica.replica_configured() else None)
        assert router_.db_for_write(Lead) == "default"
    assert router_.db_for_read(Lead) is None
    assert router_.allow_migrate("default", "leads") is True
    assert router_.allow_migrate(REPLICA, "leads") is False


@pytest.mark.django_db
def test_without_a_replica_a_report_reads_the_primary(client, manager, rep, monkeypatch):
    # given: no replica alias (the embedded default has none; on PostgreSQL the test mirror is hidden)
    monkeypatch.setattr(replica, "replica_configured", lambda: False)
    LeadFactory(owner=rep)
    client.force_login(manager)
    # when
    with reading_replica():
        alias = router.db_for_read(Lead)
    with CaptureQueriesContext(connections["default"]) as on_default:
        response = client.get(reverse("dashboards:dashboard"))
    # then
    assert alias == "default"
    assert response.status_code == 200
    assert any('"leads_lead"' in query["sql"] for query in on_default.captured_queries)


def _boot(**env) -> subprocess.CompletedProcess:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(sorted(settings.DATABASES), settings.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR'))"
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**keep, "DJANGO_SETTINGS_MODULE": "crm.settings.local", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_database_replica_url_adds_the_replica_alias(tmp_path):
    plain = _boot(FUNNEL_VAR_DIR=str(tmp_path), DATABASE_URL="postgres://crm@db:5432/crm")
    with_replica = _boot(
        FUNNEL_VAR_DIR=str(tmp_path),
        DATABASE_URL="postgres://crm@db:5432/crm",
        DATABASE_REPLICA_URL="postgres://crm@db-replica:5432/crm",
    )
    on_sqlite = _boot(FUNNEL_VAR_DIR=str(tmp_path), DATABASE_REPLICA_URL="postgres://crm@db-replica:5432/crm")
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.split("]")[0] == "['default'"
    assert with_replica.returncode == 0, with_replica.stderr
    assert with_replica.stdout.strip() == "['default', 'replica'] default"
    assert on_sqlite.returncode != 0
    assert "DATABASE_REPLICA_URL" in on_sqlite.stderr
