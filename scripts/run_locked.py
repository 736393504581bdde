"""Run a command (honcho, for `make run`) while holding the shared run lock in the var directory (core.runlock).

The lock's descriptor is inherited across `exec`, so the command itself holds it until it exits: `manage.py restore`
refuses while it is held. Usage: `python scripts/run_locked.py COMMAND [ARGS…]`.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.runlock import hold_shared  # noqa: E402
from crm.settings.base import VAR_DIR  # noqa: E402


def main(argv: list[str]) -> None:
    if not argv:
        sys.exit("usage: run_locked.py COMMAND [ARGS…]")
    fd = hold_shared(VAR_DIR, on_wait=lambda: print("Waiting for a restore to finish…", file=sys.stderr, flush=True))
    os.set_inheritable(fd, True)
    os.execvp(argv[0], argv)  # noqa: S606 - the command line `make run` gives, run as given


if __name__ == "__main__":
    main(sys.argv[1:])
