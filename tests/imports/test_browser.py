"""The import pages in a real browser, under the strict Content-Security-Policy."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.utils import timezone

from imports.models import ImportJob
from leads.models import Lead


def _session_cookie(user) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "users.backends.RoleModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


@pytest.mark.chromium
def test_a_manager_uploads_maps_and_watches_the_import_progress_live(
    live_server, manager, settings, tmp_path, new_context
):
    from playwright.sync_api import expect

    settings.MEDIA_ROOT = tmp_path / "media"
    csv_path = tmp_path / "crm-export.csv"
    csv_path.write_text("First Name,Surname,E-mail\nAda,Lovelace,ada@x.example\nNo,,bad@x.example\n")

    context = new_context()
    context.add_cookies([{"name": "sessionid", "value": _session_cookie(manager), "url": live_server.url}])
    page = context.new_page()
    script_errors, failed_urls = [], []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on(
        "response",
        lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico") and failed_urls.append(r.url),
    )
    page.goto(live_server.url + "/leads/import/")
    page.get_by_label("CSV file").set_input_files(str(csv_path))
    page.get_by_role("button", name="Upload and check the columns").click()
    expect(page.get_by_label("Surname")).to_have_value("last_name")
    page.get_by_label("E-mail").select_option("email")
    # Hold the job as a running one: the page must then follow it without a reload.
    job = ImportJob.objects.get()
    page.get_by_role("button", name="Start the import").click()
    page.wait_for_url(f"**/leads/import/{job.pk}/")
    ImportJob.objects.filter(pk=job.pk).update(
        status="running", rows_done=0, created=0, failed=0, started_at=timezone.now(), finished_at=None
    )
    page.reload()
    expect(page.locator("[data-field=status_display]")).to_have_text("Running")
    ImportJob.objects.filter(pk=job.pk).update(status="done", rows_done=2, created=1, failed=1)
    expect(page.locator("[data-field=status_display]")).to_have_text("Done", timeout=5000)
    expect(page.locator("[data-field=failed]")).to_have_text("1")
    report = page.get_by_role("link", name="Download the error report (CSV)")
    with page.expect_download() as download:
        report.click()
    content = Path(download.value.path()).read_text(encoding="utf-8")

    assert script_errors == []
    assert failed_urls == []
    assert "3,Surname,Last name is required." in content
    assert Lead.objects.get().email == "ada@x.example"
