"""The settings modules boot as documented."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


def _clean_env(**extra) -> dict:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG", "VIRTUAL_ENV"}}
    return {**keep, **extra}


def test_the_embedded_default_boots_with_an_empty_environment(tmp_path):
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL,"
        " settings.EMAIL_BACKEND, settings.CACHES['default']['BACKEND'])"
    )
    result = _run(code, _clean_env(DJANGO_SETTINGS_MODULE="crm.settings.local", FUNNEL_VAR_DIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    engine, broker, email, cache = result.stdout.split()
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://"
    assert email.endswith("filebased.EmailBackend")
    assert cache.endswith("LocMemCache")


def test_production_settings_refuse_to_start_without_a_secret_key():
    code = "import django; django.setup()"
    result = _run(code, _clean_env(DJANGO_SETTINGS_MODULE="crm.settings.production"))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check_with_a_real_key():
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="crm.settings.production",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-key-value-0123456789",
        DJANGO_ALLOWED_HOSTS="crm.example.com",
        REDIS_URL="redis://redis:6379/1",
    )
    result = _deploy_check(env)
    assert result.returncode == 0, result.stdout + result.stderr


def _deploy_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_deploy_check_refuses_production_without_a_shared_cache_for_the_throttles():
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="crm.settings.production",
        DJANGO_SECRET_KEY="x" * 20 + "a-long-random-production-key-value-0123456789",
        DJANGO_ALLOWED_HOSTS="crm.example.com",
    )
    result = _deploy_check(env)
    assert result.returncode != 0
    assert "funnel.W001" in result.stdout + result.stderr and "REDIS_URL" in result.stdout + result.stderr


def test_production_reads_the_database_and_broker_from_the_environment():
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(settings.DATABASES['default']['ENGINE'], settings.CELERY_BROKER_URL, settings.CACHES['default']['BACKEND'])"
    )
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="crm.settings.production",
        DJANGO_SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://crm:pw@db:5432/crm",
        CELERY_BROKER_URL="redis://redis:6379/0",
        REDIS_URL="redis://redis:6379/1",
    )
    result = _run(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "redis://redis:6379/0",
        "django.core.cache.backends.redis.RedisCache",
    ]


def test_behind_pgbouncer_server_side_cursors_are_turned_off_from_the_environment():
    code = (
        "import django; from django.conf import settings; django.setup();"
        "print(*(settings.DATABASES[a].get('DISABLE_SERVER_SIDE_CURSORS', False) for a in ('default', 'replica')))"
    )
    env = _clean_env(
        DJANGO_SETTINGS_MODULE="crm.settings.production",
        DJANGO_SECRET_KEY="k" * 50,
        DATABASE_URL="postgres://crm:pw@pgbouncer:6432/crm",
        DATABASE_REPLICA_URL="postgres://crm:pw@standby:5432/crm",
        REDIS_URL="redis://redis:6379/1",
    )
    assert _run(code, env).stdout.split() == ["False", "False"]
    result = _run(code, {**env, "FUNNEL_DISABLE_SERVER_SIDE_CURSORS": "true"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True"]
