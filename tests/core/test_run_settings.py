"""`make run` runs the embedded default with DEBUG off, on the port it was given, and without start-up warnings."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHOW_SETTINGS = (
    "import json, django; from django.conf import settings; django.setup();"
    "print(json.dumps({'debug': settings.DEBUG, 'hosts': settings.ALLOWED_HOSTS, 'site': settings.SITE_URL,"
    " 'finders': settings.WHITENOISE_USE_FINDERS, 'silenced': settings.SILENCED_SYSTEM_CHECKS,"
    " 'kombu': settings.LOGGING['loggers'].get('kombu.connection')}))"
)


def _clean_env(**extra) -> dict:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    return {**keep, **extra}


def _local_settings(tmp_path, **env) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env=_clean_env(DJANGO_SETTINGS_MODULE="crm.settings.local", FUNNEL_VAR_DIR=str(tmp_path), **env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_embedded_default_runs_with_debug_off_and_answers_on_localhost(tmp_path):
    shown = _local_settings(tmp_path)

    assert shown["debug"] is False
    assert {"127.0.0.1", "localhost"} <= set(shown["hosts"])
    assert shown["finders"] is True  # WhiteNoise serves static files without a collectstatic step
    assert (tmp_path / "static").is_dir()  # so WhiteNoise has no missing STATIC_ROOT to warn about


def test_django_debug_turns_debug_on_for_make_dev(tmp_path):
    assert _local_settings(tmp_path, DJANGO_DEBUG="1")["debug"] is True


def test_the_site_url_host_is_an_allowed_host(tmp_path):
    shown = _local_settings(tmp_path, FUNNEL_SITE_URL="http://crm.internal:8091")

    assert shown["site"] == "http://crm.internal:8091"
    assert "crm.internal" in shown["hosts"]


def test_the_start_up_warnings_of_the_embedded_default_are_silenced(tmp_path):
    shown = _local_settings(tmp_path)

    assert shown["silenced"] == ["models.W040"]  # SQLite ignores INCLUDE columns; PostgreSQL uses them
    assert shown["kombu"] == {"level": "ERROR"}  # "No hostname was supplied" for filesystem://


def test_postgresql_keeps_the_include_columns_check(tmp_path):
    shown = _local_settings(
        tmp_path, DATABASE_URL="postgres://crm:pw@db:5432/crm", CELERY_BROKER_URL="redis://r:6379/0"
    )

    assert shown["silenced"] == []
    assert shown["kombu"] is None


def _make_run_command(*args: str) -> str:
    result = subprocess.run(
        ["make", "-n", "run", *args], cwd=ROOT, env=_clean_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_make_run_hands_its_port_to_web_worker_and_beat_as_the_site_url():
    command = _make_run_command("PORT=8080")

    assert "PORT=8080 FUNNEL_SITE_URL=http://127.0.0.1:8080 " in command
    assert "honcho start -f Procfile" in command


def test_make_run_on_every_interface_links_emails_to_the_loopback_address():
    assert "FUNNEL_SITE_URL=http://127.0.0.1:8000 " in _make_run_command("HOST=0.0.0.0")
