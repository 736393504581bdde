"""Render the main pages with the demo data in headless Chromium and save them to docs/screenshots/.

Usage: `make screenshots` (or `.venv/bin/python scripts/screenshots.py [--leads N] [--out DIR] [--only NAME …]`).
It builds a throwaway SQLite database in a temporary var/ directory, loads the demo data with
`manage.py seed_demo`, imports a small CSV as the demo manager (so the import pages have a finished job), saves
lead views (the demo rep's own, and one the manager shares with team East) and plans the rep's week (tasks and
meetings, two tasks due today), starts the app on a free port, and saves every page in SHOTS twice:
`<page>-1280.png` (desktop, 1280x800; the lead page 1280x1000 so its status buttons show) and `<page>-768.png`
(the tablet layout, 768x1024), each as the role that uses it — the demo rep (`rep1`), the demo manager
(`manager`) or the admin (`admin`). A page shorter than the viewport is cut below its content. Nothing touches
your own var/. When `optipng` is installed the PNGs are recompressed (lossless). README.md and docs/using.md
show them: rename or drop a page here, update them there.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
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
# Width → viewport height: a laptop screen, and a tablet held upright (below 1024 px the tablet layout applies:
# one column with the side panel first, low-priority table columns hidden).
VIEWPORTS = {1280: 800, 768: 1024}
USERNAMES = {"rep": "rep1", "manager": "manager", "admin": "admin"}


@dataclass(frozen=True)
class Ids:
    """Records the pages are about, looked up once in the seeded database."""

    lead: str  # the demo rep's best-scored open lead with a logged call: score breakdown, status, timeline
    convert_lead: str  # their best open lead that matches an existing account: the convert page suggests it
    import_job: str  # the demo manager's CSV import
    saved_view: str  # the demo rep's saved lead view


@dataclass(frozen=True)
class Shot:
    name: str
    role: str
    path: str  # formatted with `ids`
    wait_for: str  # a selector that is there once the page is drawn
    heights: dict[int, int] = field(default_factory=dict)  # a taller viewport for some widths
    click: str = ""  # then click this (a menu to open) …
    click_wait_for: str = ""  # … and wait for this before saving


SHOTS = [
    # The rep's day: their leads, one lead, converting another into its matched account, tasks, their own funnel.
    # The rep's day: their leads (list, board, a saved view), searching, one lead, converting another into its
    # matched account, tasks, the week's calendar, their own funnel.
    Shot("lead-list", "rep", "/leads/?sort=-score", "table.leads"),
    Shot("lead-board", "rep", "/leads/board/", "[data-board] .lead-card"),
    Shot(
        "saved-view",
        "rep",
        "/views/{ids.saved_view}/",
        "table.leads",
        click=".views-menu > summary",
        click_wait_for=".views-menu .menu-list a",
    ),
    # "ealth" is the middle of "Health": demo companies, their contacts, accounts and deals.
    Shot("search", "rep", "/search/?q=ealth", "main table.grid tbody a"),
    Shot("lead-page", "rep", "/leads/{ids.lead}/", "#timeline", heights={1280: 1000}),
    Shot("convert", "rep", "/leads/{ids.convert_lead}/convert/", "input[name=account]"),
    Shot("tasks", "rep", "/tasks/", "ul.tasks li"),
    Shot("calendar", "rep", "/calendar/", "ol.week .day-item"),
    Shot("my-funnel", "rep", "/dashboard/?preset=last_90", "svg.funnel"),
    # The manager's: the teams' funnel, the reports, the board, an import, its result and its leads.
    Shot("dashboard", "manager", "/dashboard/?preset=last_90", "svg.funnel"),
    Shot("campaign-report", "manager", "/dashboard/campaigns/", "main table.grid tbody th a"),
    # Speed to lead, the forecast against quota, the activity leaderboard and the conversion model's quality.
    Shot("sla", "manager", "/dashboard/sla/", "main table.grid tbody th"),
    Shot("forecast", "manager", "/dashboard/forecast/?period=this_quarter", "main table.grid tbody th"),
    Shot("activity", "manager", "/dashboard/activity/?preset=last_30", "main table"),
    Shot("conversion-model", "manager", "/scoring/model/", "table.calibration"),
    Shot("pipeline-board", "manager", "/opportunities/board/", "[data-board]"),
    Shot("import", "manager", "/leads/import/", "input[type=file]"),
    Shot("import-result", "manager", "/leads/import/{ids.import_job}/", "[data-job-leads]"),
    Shot("imported-leads", "manager", "/leads/?import_job={ids.import_job}&status=all&owner=any", "table.leads"),
    # The admin's: the configuration.
    Shot("admin", "admin", "/admin/", "#content-main"),
]

FIND_LEADS = """
from activities.models import Activity
from conversion.selectors import list_account_matches, pick_account_match
from leads.models import Lead
from users.models import User
rep = User.objects.get(username="rep1")
open_leads = Lead.objects.visible_to(rep).open().exclude(status="unqualified").order_by("-score", "id")
called = open_leads.filter(pk__in=Activity.objects.filter(kind="call").values("lead_id")).first()
convertible = next((lead for lead in open_leads if pick_account_match(list_account_matches(lead, user=rep))), None)
print((called or open_leads.first()).pk, (convertible or open_leads.first()).pk)
"""


# A small spreadsheet of trade-show leads, the kind a manager imports; the last two rows land in the error report
# (no last name; employees not a number).
IMPORT_NAME = "trade-show-leads.csv"
IMPORT_CSV = """\
First Name,Last Name,Email,Company,Title,Industry,Country,Employees,Source
Hannah,Fischer,hannah.fischer@nordwerk.example,Nordwerk GmbH,Head of Sales,Manufacturing,Germany,420,Trade show
Oliver,Bennett,o.bennett@bennett-logistics.example,Bennett Logistics,COO,Logistics,United Kingdom,180,Trade show
Chloé,Lambert,chloe.lambert@atelier-lumen.example,Atelier Lumen,Founder,Retail,France,35,Trade show
Diego,Navarro,diego@navarro-foods.example,Navarro Foods,VP Operations,Food & Beverage,Spain,900,Trade show
Aisha,Okafor,aisha.okafor@lagos-fintech.example,Lagos Fintech,CTO,Financial Services,Nigeria,150,Trade show
Tomasz,Nowak,tomasz.nowak@vistula-soft.example,Vistula Software,Sales Director,Software,Poland,260,Trade show
Emily,Clarke,emily.clarke@harbourhealth.example,Harbour Health,Procurement Lead,Healthcare,Ireland,1200,Trade show
Kenji,Watanabe,k.watanabe@sakura-robotics.example,Sakura Robotics,CEO,Manufacturing,Japan,75,Trade show
Ingrid,Larsen,ingrid@fjord-energy.example,Fjord Energy,Head of IT,Energy,Norway,540,Trade show
Marco,Bianchi,marco.bianchi@bianchi-design.example,Bianchi Design,Managing Director,Retail,Italy,48,Trade show
Lena,,lena@no-surname.example,Nameless Ltd,Buyer,Retail,Austria,12,Trade show
Pieter,de Vries,pieter@polder-agri.example,Polder Agri,Owner,Agriculture,Netherlands,many,Trade show
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(env: dict, *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)


def shell(env: dict, code: str) -> list[str]:
    """Run `code` in `manage.py shell` and return the words of the last line it printed."""
    result = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    return result.stdout.strip().splitlines()[-1].split()


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


FIND_IMPORT = f"""
from imports.models import ImportJob
job = ImportJob.objects.filter(original_name={IMPORT_NAME!r}, created_by__username="manager").order_by("pk").first()
print(job.pk if job else "none")
"""


def import_demo_csv(env: dict, var_dir: Path) -> str:
    """Import IMPORT_CSV as the demo manager, once per database; return the job's id.

    The assignment rules route the new leads to the reps of the manager's team (East).
    """
    (job,) = shell(env, FIND_IMPORT)
    if job == "none":
        path = var_dir / IMPORT_NAME
        path.write_text(IMPORT_CSV, encoding="utf-8")
        manage(env, "import_leads", str(path), "--by", "manager")
        (job,) = shell(env, FIND_IMPORT)
    return job


# The rep's two saved views and one their manager shares with team East, and a planned week for the calendar:
# tasks and meetings on the rep's other open leads (not the two pictured), Monday to Friday of this week, and two
# tasks due today.
# Once per database: a second run finds the view and only prints its id.
SET_UP_WORKSPACE = """
from datetime import datetime, time, timedelta
from django.utils import timezone
from activities.services import log_activity
from leads.models import Lead
from users.models import Team, User
from workspace.models import SavedView
from workspace.services import create_saved_view
rep, manager = User.objects.get(username="rep1"), User.objects.get(username="manager")
NAME = "MQLs by score"
view = SavedView.objects.filter(owner=rep, list_key="leads", name=NAME).first()
if view is None:
    views = [  # (owner, name, query, shared with)
        (rep, NAME, "mql=yes&sort=-score&cols=company,title,score,grade,status,last_activity,phone", None),
        (rep, "Nurturing, oldest activity first", "status=nurturing&sort=last_activity_at", None),
        (manager, "East: new leads, newest first", "status=new&owner=any&sort=-created_at", "East"),
    ]
    for owner, name, query, team in views:
        SavedView.objects.filter(owner=owner, list_key="leads", name=name).delete()
        team = Team.objects.get(name=team) if team else None
        saved = create_saved_view(by=owner, list_key="leads", name=name, query=query, shared_with_team=team)
        view = view or saved
    leads = list(
        Lead.objects.visible_to(rep).open().exclude(pk__in=[{skip}]).exclude(company="")
        .order_by("-score", "id")[:9]
    )
    monday = timezone.localdate() - timedelta(days=timezone.localdate().weekday())
    plan = [  # (day of the week, hour, minute, kind, subject)
        (0, 9, 30, "task", "Call back {first} about pricing"),
        (0, 14, 0, "meeting", "Discovery call with {company}"),
        (1, 11, 0, "meeting", "Demo for {company}"),
        (2, 10, 0, "task", "Send the proposal to {first}"),
        (3, 15, 30, "meeting", "Technical deep dive with {company}"),
        (4, 9, 0, "task", "Follow up with {first} after the demo"),
        (4, 16, 0, "task", "Check {company}'s budget"),
        # And two due today, whatever day that is, for the tasks page's Today tab.
        (timezone.localdate().weekday(), 11, 0, "task", "Prepare the quote for {company}"),
        (timezone.localdate().weekday(), 15, 0, "task", "Send {first} the case study"),
    ]
    for lead, (day, hour, minute, kind, subject) in zip(leads, plan):
        at = timezone.make_aware(datetime.combine(monday + timedelta(days=day), time(hour, minute)))
        log_activity(
            by=rep, kind=kind, lead=lead, due_at=at,
            subject=subject.format(first=lead.first_name, company=lead.company),
        )
print(view.pk)
"""


def find_ids(env: dict, var_dir: Path) -> Ids:
    lead, convert_lead = shell(env, FIND_LEADS)
    (saved_view,) = shell(env, SET_UP_WORKSPACE.replace("{skip}", f"{lead}, {convert_lead}"))
    return Ids(lead=lead, convert_lead=convert_lead, import_job=import_demo_csv(env, var_dir), saved_view=saved_view)


def optimise(paths: list[Path]) -> None:
    """Recompress the PNGs losslessly when optipng is installed (`apt-get install optipng`)."""
    optipng = shutil.which("optipng")
    if optipng and paths:
        subprocess.run([optipng, "-quiet", "-o2", "-strip", "all", *map(str, paths)], check=True)


# How far down the page's content reaches: a short page is cut there instead of saving an empty viewport.
CONTENT_BOTTOM = "Math.ceil(Math.max(...Array.from(document.body.children, e => e.getBoundingClientRect().bottom)))"


def shoot(page, base: str, ids: Ids, shot: Shot, out: Path, width: int, height: int) -> Path:
    """Open the shot's page at `width`, wait until it is drawn and save the viewport, cut below the content."""
    page.set_viewport_size({"width": width, "height": shot.heights.get(width, height)})
    page.goto(base + shot.path.format(ids=ids))
    page.wait_for_selector(shot.wait_for)
    if shot.click:
        page.click(shot.click)
        page.wait_for_selector(shot.click_wait_for)
    viewport = page.viewport_size
    bottom = min(viewport["height"], page.evaluate(CONTENT_BOTTOM) + 16)
    path = out / f"{shot.name}-{width}.png"
    clip = {"x": 0, "y": 0, "width": viewport["width"], "height": bottom}
    page.screenshot(path=str(path), clip=clip, animations="disabled", caret="hide")
    print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return path


def capture(base: str, out: Path, ids: Ids, only: set[str]) -> list[Path]:
    """Save every shot at every width, one browser session per role and width."""
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved = []
    shots = [shot for shot in SHOTS if not only or shot.name in only]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for width, height in VIEWPORTS.items():
            for role in dict.fromkeys(shot.role for shot in shots):
                context = browser.new_context(viewport={"width": width, "height": height}, device_scale_factor=1)
                page = context.new_page()
                sign_in(page, base, USERNAMES[role])
                saved += [shoot(page, base, ids, shot, out, width, height) for shot in shots if shot.role == role]
                context.close()
        browser.close()
    return saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=2000, help="how many demo leads to load (as `make run`)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--var-dir", type=Path, help="reuse this var/ directory (already migrated and seeded)")
    parser.add_argument("--only", nargs="*", default=[], help=f"only these pages ({', '.join(s.name for s in SHOTS)})")
    args = parser.parse_args()
    unknown = set(args.only) - {shot.name for shot in SHOTS}
    if unknown:
        parser.error(f"unknown page(s): {', '.join(sorted(unknown))}")

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
        ids = find_ids(env, var_dir)
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
            saved = capture(base, args.out, ids, set(args.only))
        finally:
            server.terminate()
            server.wait(timeout=10)
        optimise(saved)
        total = sum(path.stat().st_size for path in saved)
        print(f"{len(saved)} screenshots, {total / 1024:,.0f} KiB")


if __name__ == "__main__":
    main()
