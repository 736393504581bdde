"""Faults around the jobs: Redis drops every client, PostgreSQL drops its connections mid-job and mid-request, and
the upload disk is full. Each case records how long the product took to be working again."""

from __future__ import annotations

import errno
import time

import pytest
from django.core.files.storage import FileSystemStorage
from django.db import connection, connections
from django.test import Client

from imports.models import ImportJob
from imports.services import create_import
from leads.models import Lead
from tests.chaos import harness
from tests.chaos.harness import CHUNK, csv_file
from tests.system.workers import kill

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]


def _blocked_import(manager, settings, tmp_path):
    """An import waiting on a locked lead in its third chunk, two chunks committed, on a running worker."""
    settings.MEDIA_ROOT = tmp_path / "var" / "media"
    existing = Lead.objects.create(last_name="Before", email=f"row{2 * CHUNK + 5}@chaos.example")
    job = create_import(by=manager, file=csv_file(5 * CHUNK), enqueue=False)
    locker = harness.hold_row("leads_lead", existing.pk)
    process = harness.worker("import", tmp_path, FUNNEL_IMPORT_CHUNK_ROWS=str(CHUNK))
    harness.send("imports.tasks.run_import_bulk_task", job_id=job.pk)
    assert harness.progressed(lambda: ImportJob.objects.get(pk=job.pk).rows_done == 2 * CHUNK, time.monotonic())
    return job, locker, process


def _every_row_once(job: ImportJob) -> None:
    job.refresh_from_db()
    assert (job.status, job.rows_done, job.created, job.updated, job.failed) == ("done", 5 * CHUNK, 5 * CHUNK - 1, 1, 0)
    assert Lead.objects.count() == 5 * CHUNK
    assert Lead.objects.values("email").distinct().count() == 5 * CHUNK


def test_an_import_finishes_when_redis_drops_every_client_mid_job(manager, settings, tmp_path, sweeper):
    job, locker, process = _blocked_import(manager, settings, tmp_path)
    try:
        assert harness.kill_redis_clients() > 0
        faulted_at = time.monotonic()
        locker.rollback()
        recovery = harness.progressed(lambda: ImportJob.objects.get(pk=job.pk).rows_done > 2 * CHUNK, faulted_at)
        assert recovery is not None, process.log.read_text()
        assert harness.progressed(lambda: ImportJob.objects.get(pk=job.pk).status == "done", faulted_at)
    finally:
        locker.close()
        kill(process)
    _every_row_once(job)
    harness.record("CSV import", "Redis drops every client mid-job", recovery, "every row imported once")


def test_an_import_resumes_when_postgresql_drops_its_connections_mid_job(manager, settings, tmp_path, sweeper):
    job, locker, process = _blocked_import(manager, settings, tmp_path)
    try:
        assert harness.terminate_other_backends(locker) > 0  # the worker's, mid-chunk
        faulted_at = time.monotonic()
        locker.rollback()
        recovery = harness.progressed(lambda: ImportJob.objects.get(pk=job.pk).rows_done > 2 * CHUNK, faulted_at)
        assert recovery is not None, process.log.read_text()
        assert harness.progressed(lambda: ImportJob.objects.get(pk=job.pk).status == "done", faulted_at)
    finally:
        locker.close()
        kill(process)
    _every_row_once(job)
    assert job.attempts == 2
    harness.record("CSV import", "PostgreSQL drops its connections mid-job", recovery, "every row imported once")


def test_an_api_write_whose_connection_drops_mid_request_is_a_clean_503_or_whole(rep):
    client = Client(raise_request_exception=False)
    client.force_login(rep)
    killer = connections.create_connection("default")
    pid = harness.backend_pid(connection)

    def drop_after_the_insert(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.startswith('INSERT INTO "leads_lead"'):
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        return result

    try:
        with connection.execute_wrapper(drop_after_the_insert):
            response = client.post("/api/v1/leads/", {"last_name": "Cut", "email": "cut@chaos.example"})
        faulted_at = time.monotonic()
        again = client.post("/api/v1/leads/", {"last_name": "Next", "email": "next@chaos.example"})
        recovery = round(time.monotonic() - faulted_at, 1)
    finally:
        killer.close()

    assert response.status_code in (201, 503), response.content
    assert Lead.objects.filter(email="cut@chaos.example").count() == (1 if response.status_code == 201 else 0)
    assert again.status_code == 201, again.content
    harness.record("API write", "PostgreSQL drops the connection mid-request", recovery, "503 or whole, never half")


def test_an_upload_to_a_full_disk_is_refused_by_name_and_leaves_nothing(manager, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path / "media"
    original = FileSystemStorage._save

    def fill_up(self, name, content):
        path = self.path(name)
        (tmp_path / "media" / name).parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as partial:
            partial.write(content.read(10))  # the disk fills up part-way through the file
        raise OSError(errno.ENOSPC, "No space left on device")

    client = Client(raise_request_exception=False)
    client.force_login(manager)
    monkeypatch.setattr(FileSystemStorage, "_save", fill_up)
    response = client.post("/api/v1/imports/", {"file": csv_file(10)})
    faulted_at = time.monotonic()
    monkeypatch.setattr(FileSystemStorage, "_save", original)  # space freed
    again = client.post("/api/v1/imports/", {"file": csv_file(10)})
    recovery = round(time.monotonic() - faulted_at, 1)

    assert response.status_code == 507, response.content
    assert response.json()["code"] == "storage_full"
    assert "upload storage is full" in response.json()["detail"]
    assert again.status_code == 202, again.content
    assert ImportJob.objects.count() == 1
    stored = [path for path in (tmp_path / "media").rglob("*") if path.is_file()]
    assert len(stored) == 1  # the second upload's file; nothing of the first
    harness.record("CSV upload", "upload disk full", recovery, "507 naming it; no job, no partial file")
