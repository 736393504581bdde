"""`make run`'s processes (the Procfile under honcho, as the Makefile starts it) start without warnings, serve the
app's pages with DEBUG off and all stop on one Ctrl-C, without honcho having to SIGKILL any of them."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from celery.concurrency.solo import TaskPool as SoloPool
from celery.concurrency.thread import TaskPool as ThreadPool
from celery.exceptions import WorkerShutdown
from celery.signals import worker_ready, worker_shutting_down

from crm.celery import _PollingShutdown, app

ROOT = Path(__file__).resolve().parents[2]
HONCHO = ROOT / ".venv" / "bin" / "honcho"
NEEDS_VENV = pytest.mark.skipif(not HONCHO.exists(), reason="needs the checkout's .venv that the Procfile runs from")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _environment(var_dir: Path, port: int) -> dict:
    keep = {k: v for k, v in os.environ.items() if k in {"PATH", "HOME", "LANG"}}
    return {
        **keep,
        "FUNNEL_VAR_DIR": str(var_dir),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "FUNNEL_SITE_URL": f"http://127.0.0.1:{port}",
        "DJANGO_RUNSERVER_HIDE_WARNING": "true",
        "PYTHONUNBUFFERED": "1",  # honcho writes into a pipe here, not a terminal
    }


def _get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - a local URL this test built
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _started_pids(lines: list[str]) -> list[int]:
    return [int(pid) for pid in re.findall(r"started \(pid=(\d+)\)", "".join(lines))]


def _startup_warnings(lines: list[str]) -> list[str]:
    # Celery's SecurityWarning when the tests run as root (containers) is about the machine, not the app.
    text = "\n".join(lines)
    text = re.sub(
        r"SecurityWarning: You're running the worker with superuser privileges.*?_warn_or_raise[^\n]*",
        "",
        text,
        flags=re.S,
    )
    return [line for line in text.splitlines() if "warn" in line.lower()]


@NEEDS_VENV
def test_one_ctrl_c_stops_web_worker_and_beat_well_within_ten_seconds(tmp_path):
    port = _free_port()
    # As `make run` does before starting them: the three processes meet a migrated database, not a new file.
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "migrate", "--no-input", "-v0"],
        cwd=ROOT,
        env=_environment(tmp_path, port),
        check=True,
        timeout=300,
    )
    honcho = subprocess.Popen(
        [str(HONCHO), "start", "-f", "Procfile"],
        cwd=ROOT,
        env=_environment(tmp_path, port),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(honcho.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 90
        ready = (" ready.", "beat: Starting", "Quit the server")
        while not all(any(mark in line for line in lines) for mark in ready):
            assert honcho.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.2)
        started = list(lines)
        pids = _started_pids(started)
        assert len(pids) == 3, "".join(started)
        assert _startup_warnings(started) == []

        status, body = _get(f"http://127.0.0.1:{port}/nope/")
        assert status == 404 and "Page not found" in body and "DEBUG = True" not in body
        assert _get(f"http://127.0.0.1:{port}/static/favicon.svg")[0] == 200

        # when: Ctrl-C, which the terminal sends to honcho; honcho SIGTERMs each process's group
        began = time.monotonic()
        honcho.send_signal(signal.SIGINT)
        honcho.wait(timeout=20)
        took = time.monotonic() - began
        left = [pid for pid in pids if _group_alive(pid)]
    finally:
        # a failed test still stops everything: Ctrl-C first, then SIGKILL for each process's group
        if honcho.poll() is None:
            honcho.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                honcho.wait(timeout=15)
        for pid in [honcho.pid, *_started_pids(lines)]:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        honcho.wait(timeout=10)
    reader.join(timeout=5)

    output = "".join(lines)
    assert took < 10, output
    assert "SIGKILL" not in output, output
    assert output.count("stopped (rc=") == 3
    assert left == []


class _Consumer:
    def __init__(self, pool_cls):
        self.pool = pool_cls.__new__(pool_cls)


def _shut_down(pool_cls, monkeypatch, broker_url: str = "filesystem://") -> None:
    monkeypatch.setattr(_PollingShutdown, "main_thread_only_polls", False)
    monkeypatch.setattr(app.conf, "broker_url", broker_url)
    monkeypatch.setenv("CELERY_BROKER_URL", broker_url)  # Celery reads it before its own setting (the Redis CI run)
    worker_ready.send(sender=_Consumer(pool_cls))
    worker_shutting_down.send(sender="worker@test", sig="SIGTERM", how="Warm", exitcode=0)


def test_a_threads_worker_on_the_filesystem_broker_stops_polling_at_the_signal(monkeypatch):
    with pytest.raises(WorkerShutdown):
        _shut_down(ThreadPool, monkeypatch)


def test_a_solo_worker_finishes_its_task_in_the_main_thread_first(monkeypatch):
    _shut_down(SoloPool, monkeypatch)  # no exception: the flag set by Celery stops it after the running task


def test_a_worker_on_redis_shuts_down_the_usual_way(monkeypatch):
    _shut_down(ThreadPool, monkeypatch, broker_url="redis://127.0.0.1:6379/0")
