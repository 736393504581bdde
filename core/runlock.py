"""The lock `make run` holds while its web server, worker and beat run, so a restore can tell they are running.

`make run` starts honcho through `scripts/run_locked.py`, which takes a *shared* lock on `var/run.lock` and keeps it
for honcho's whole life (several `make run`s may share it). `manage.py restore` takes the same lock *exclusively*
without waiting: if that fails, the app is running and the restore refuses. The operating system drops the lock when
the holder exits, however it exits, so a crash never leaves a stale lock behind (unlike a pid file).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = "run.lock"


def _open(var_dir: Path) -> int:
    var_dir.mkdir(parents=True, exist_ok=True)
    return os.open(var_dir / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)


def hold_shared(var_dir: Path, *, on_wait=None) -> int:
    """Take the shared run lock and return its descriptor (kept open for as long as the app runs).

    If a restore holds the lock exclusively, call `on_wait` once and wait for it to finish.
    """
    fd = _open(var_dir)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        if on_wait is not None:
            on_wait()
        fcntl.flock(fd, fcntl.LOCK_SH)
    return fd


@contextlib.contextmanager
def exclusive(var_dir: Path) -> Iterator[bool]:
    """Hold the run lock exclusively for the block; yield False (and hold nothing) if the app is running."""
    fd = _open(var_dir)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
