"""Audit the pinned runtime dependencies with pip-audit and say plainly whether the check really ran.

pip-audit reports "No known vulnerabilities found" even when it could not reach the vulnerability service
and skipped every package. This wrapper reads its JSON report and prints one outcome line:

    dependency audit: checked N packages, M known vulnerabilities
    dependency audit: NOT CHECKED (reason)

It exits 1 only when vulnerabilities were found; a check that could not run is reported, not failed.
"""

from __future__ import annotations

import json
import subprocess  # nosec B404 - runs pip-audit with a fixed argument list
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def outcome(report: dict) -> tuple[str, int]:
    """Return the outcome lines for a pip-audit JSON report and the exit code (1 only for known vulnerabilities)."""
    dependencies = report.get("dependencies", [])
    skipped = [dep for dep in dependencies if dep.get("skip_reason")]
    audited = [dep for dep in dependencies if not dep.get("skip_reason")]
    if not audited:
        reason = skipped[0]["skip_reason"] if skipped else "no dependencies listed"
        return f"dependency audit: NOT CHECKED (no package could be audited; e.g. {reason})", 0
    lines = []
    vulnerable = [(dep, vuln) for dep in audited for vuln in dep.get("vulns", [])]
    for dep, vuln in vulnerable:
        fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
        lines.append(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    partial = f" ({len(skipped)} more could not be audited: {', '.join(d['name'] for d in skipped)})" if skipped else ""
    lines.append(f"dependency audit: checked {len(audited)} packages, {len(vulnerable)} known vulnerabilities{partial}")
    return "\n".join(lines), 1 if vulnerable else 0


def main() -> int:
    requirements = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "requirements.txt")
    pip_audit = Path(sys.executable).with_name("pip-audit")
    with tempfile.TemporaryDirectory() as folder:
        report_path = Path(folder) / "report.json"
        # Every requirement is pinned with ==, so no resolver (and no throwaway virtualenv) is needed.
        command = [str(pip_audit), "-r", requirements, "--no-deps", "--disable-pip", "--progress-spinner", "off",
                   "-f", "json", "-o", str(report_path)]  # fmt: skip
        try:
            result = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)  # nosec B603
        except (OSError, subprocess.TimeoutExpired) as exc:
            print(f"dependency audit: NOT CHECKED (pip-audit could not run: {exc})")
            return 0
        if not report_path.exists():
            reason = (result.stderr.strip().splitlines() or ["no report written"])[-1]
            print(f"dependency audit: NOT CHECKED ({reason})")
            return 0
        report = json.loads(report_path.read_text())

    line, code = outcome(report)
    print(line)
    return code


if __name__ == "__main__":
    sys.exit(main())
