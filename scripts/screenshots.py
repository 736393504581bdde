"""Render the main pages with the demo data in headless Chromium and save them to docs/screenshots/.

Usage: `make screenshots` (or `.venv/bin/python scripts/screenshots.py [--leads N] [--out DIR]`).
It builds a throwaway SQLite database in a temporary var/ directory, loads the demo data with
`manage.py seed_demo`, starts the app on a free port, signs in as the demo rep and the demo manager,
and saves one PNG per page. Nothing touches your own var/.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHROMIUM = os.environ.get("FUNNEL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "funnel-demo"  # noqa: S105 - the documented demo login, not a secret


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - a local URL we built
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"The app did not start at {url}")


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/**")


def shoot(page, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


FIND_CONVERTIBLE = """
from users.models import User
from leads.models import Lead
from conversion.selectors import list_account_matches, pick_account_match
rep = User.objects.get(username="rep1")
for lead in Lead.objects.visible_to(rep).open().exclude(status="unqualified").order_by("-score", "id"):
    if pick_account_match(list_account_matches(lead, user=rep)):
        print(lead.pk)
        break
"""


def convertible_lead(env: dict) -> str:
    """Return the id of the demo rep's best open lead that matches an existing account, or ""."""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", FIND_CONVERTIBLE], cwd=ROOT, env=env, check=True, capture_output=True
    )
    return result.stdout.decode().strip().splitlines()[-1] if result.stdout.strip() else ""


def capture(base: str, out: Path, convert_lead_id: str = "") -> None:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
        page = context.new_page()

        sign_in(page, base, "rep1")
        page.goto(f"{base}/leads/?sort=-score")
        shoot(page, out, "lead-list")
        page.click("table.leads tbody tr:first-child td:nth-child(2) a")
        page.wait_for_selector("#timeline")
        shoot(page, out, "lead-page")
        page.goto(f"{base}/opportunities/board/")
        shoot(page, out, "pipeline-board")
        first_deal = page.locator(".deal .deal-name").first
        if first_deal.count():
            first_deal.click()
            page.wait_for_selector(".stage-path")
            shoot(page, out, "opportunity-page")
            page.click(".subtitle a")
            page.wait_for_selector("#timeline")
            shoot(page, out, "account-page")
        page.goto(f"{base}/tasks/")
        shoot(page, out, "my-tasks")
        if convert_lead_id:
            page.goto(f"{base}/leads/{convert_lead_id}/convert/")
            page.wait_for_selector("input[name=account]")
            shoot(page, out, "convert-page")
        context.close()

        context = browser.new_context(viewport={"width": 1440, "height": 900}, device_scale_factor=1)
        page = context.new_page()
        sign_in(page, base, "manager")
        page.goto(f"{base}/dashboard/?preset=last_90")
        page.wait_for_selector("svg.funnel")
        shoot(page, out, "dashboard")
        context.close()

        tablet = browser.new_context(viewport={"width": 820, "height": 1180}, device_scale_factor=1)
        page = tablet.new_page()
        sign_in(page, base, "manager")
        page.goto(f"{base}/leads/?owner=any&sort=-score")
        shoot(page, out, "lead-list-manager-tablet")
        tablet.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=2000, help="how many demo leads to load (as `make run`)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--var-dir", type=Path, help="reuse this var/ directory (already migrated and seeded)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="funnel-shots-") as tmp:
        var_dir = args.var_dir or Path(tmp)
        env = {
            **os.environ,
            "FUNNEL_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "crm.settings.local",
            "DATABASE_URL": "",
            "REDIS_URL": "",
            "CELERY_BROKER_URL": "",
        }
        if args.var_dir is None:
            print("Loading the demo data…")
            manage(env, "migrate", "--no-input", "-v", "0")
            manage(env, "seed_demo", "--leads", str(args.leads))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(f"{base}/login/")
            print(f"Capturing pages into {args.out}…")
            capture(base, args.out, convertible_lead(env))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
