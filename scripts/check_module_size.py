"""Fail when a Python module outside migrations and tests is over 400 lines: split it by topic instead.

Run by `make lint`. A module that grows past the limit becomes a package of topic-named modules
(shared/DESIGN.md: "A module past 400 lines becomes a package split by topic").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LIMIT = 400
ROOT = Path(__file__).resolve().parent.parent


def tracked_modules() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return [
        ROOT / name
        for name in listed
        if "/migrations/" not in f"/{name}" and not name.startswith("tests/") and (ROOT / name).is_file()
    ]


def main() -> int:
    too_long = []
    for path in tracked_modules():
        lines = sum(1 for _ in path.open(encoding="utf-8"))
        if lines > LIMIT:
            too_long.append((lines, path.relative_to(ROOT)))
    for lines, path in sorted(too_long, reverse=True):
        print(f"{path}: {lines} lines (limit {LIMIT}): split it by topic")
    if not too_long:
        print(f"module size: every module is at most {LIMIT} lines")
    return 1 if too_long else 0


if __name__ == "__main__":
    sys.exit(main())
