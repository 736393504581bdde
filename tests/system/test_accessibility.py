"""Every page passes axe-core without a serious or critical violation, for each role, in a real browser.

axe-core is vendored in tests/vendor/ (nothing is downloaded at test time). It goes in as an init script, which
runs before the page's own and is not subject to the page's Content-Security-Policy (script-src 'self').
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.system.screens import build_book, screens, sign_in

AXE = Path(__file__).resolve().parent.parent / "vendor" / "axe.min.js"
BLOCKING = {"serious", "critical"}
CSV = "first_name,last_name,email,company\nAda,Lovelace,ada@engines.example,Analytical Engines\n"

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def book(rep, manager, admin):
    return build_book(rep, manager)


@pytest.fixture
def open_page(new_context):
    """`open_page(width)` opens a page with axe-core loaded on every document it shows."""

    def make(width: int = 1280, height: int = 900):
        context = new_context(viewport={"width": width, "height": height})
        context.add_init_script(path=str(AXE))
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    return make


def audit(page, where: str) -> list[str]:
    """Run axe on the page and return one line per serious or critical violation: where, rule, impact, targets."""
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(" "))
        }))"""
    )
    return [
        f"{where}: {v['id']} ({v['impact']}: {v['help']}) at {', '.join(v['targets'][:5])}"
        for v in violations
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("role", ["rep", "manager", "admin"])
def test_every_page_has_no_serious_or_critical_violation(role, book, rep, manager, admin, open_page, live_server):
    # given
    user = {"rep": rep, "manager": manager, "admin": admin}[role]
    page = open_page()
    sign_in(page, live_server, user.username)
    found = []

    # when
    for screen in screens(book):
        if role not in screen.roles:
            continue
        page.goto(f"{live_server.url}{screen.path}")
        found += audit(page, f"{role} on {screen.name} ({screen.path})")

    # then
    assert found == [], "\n".join(found)


def test_the_login_page_has_no_serious_or_critical_violation(open_page, live_server):
    page = open_page()
    page.goto(f"{live_server.url}/login/")
    assert audit(page, "login") == []
    page.fill("#id_username", "nobody")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    page.wait_for_selector(".error")
    assert audit(page, "login with an error") == []


def test_the_pages_behind_a_form_have_no_serious_or_critical_violation(book, rep, open_page, live_server):
    # given
    page = open_page()
    sign_in(page, live_server, rep.username)
    found = []

    # when: a form sent empty shows its errors
    page.goto(f"{live_server.url}/leads/new/")
    page.click("form button.primary")
    page.wait_for_selector(".has-error")
    found += audit(page, "new lead with errors")
    # the bulk bar's two confirmation pages
    page.goto(f"{live_server.url}/leads/")
    page.locator("input[name=ids]").nth(0).check()
    page.locator("input[name=ids]").nth(1).check()
    page.click("[data-bulk-enroll]")
    page.wait_for_selector("h1:has-text('Enroll in a sequence')")
    found += audit(page, "bulk enroll confirmation")
    page.goto(f"{live_server.url}/leads/")
    page.locator("input[name=ids]").nth(0).check()
    page.select_option("select[name=status][data-bulk-for]", "nurturing")
    page.click("#bulk-form button:has-text('Apply')")
    page.wait_for_selector("h1:has-text('Confirm')")
    found += audit(page, "bulk change confirmation")
    page.click("button:has-text('Yes, apply')")
    page.wait_for_selector(".messages")
    found += audit(page, "lead list with a message")
    # the unsubscribe page's answer
    page.goto(f"{live_server.url}/unsubscribe/{book['token']}/")
    page.click("main form button")
    page.wait_for_selector("h1:has-text('You are unsubscribed')")
    found += audit(page, "unsubscribed")
    # the preview of an email written on a lead's page
    page.goto(f"{live_server.url}/leads/{book['lead']}/email/")
    page.fill("#id_subject", "Hello {{ first_name }}")
    page.fill("#id_body", "Hi {{ first_name }}, shall we talk?")
    page.click("form button.primary")
    page.wait_for_selector("[data-email-preview]")
    found += audit(page, "email preview")

    # then
    assert found == [], "\n".join(found)


def test_the_import_pages_have_no_serious_or_critical_violation(manager, open_page, live_server, tmp_path):
    # given
    csv_file = tmp_path / "leads.csv"
    csv_file.write_text(CSV)
    page = open_page()
    sign_in(page, live_server, manager.username)
    found = []

    # when
    page.goto(f"{live_server.url}/leads/import/")
    page.set_input_files("input[type=file]", str(csv_file))
    page.click("form button.primary")
    page.wait_for_selector("h1:has-text('Check the columns')")
    found += audit(page, "import mapping")
    page.click("form button.primary")
    page.wait_for_url("**/leads/import/*/")
    found += audit(page, "import progress")

    # then
    assert found == [], "\n".join(found)


def test_the_narrow_layout_with_the_menu_open_has_no_serious_or_critical_violation(book, rep, open_page, live_server):
    # given
    page = open_page(390, 844)
    sign_in(page, live_server, rep.username)
    found = []

    # when
    for path in ("/leads/", f"/leads/{book['lead']}/", "/opportunities/board/", "/dashboard/"):
        page.goto(f"{live_server.url}{path}")
        found += audit(page, f"{path} at 390 px")
        page.click(".nav-toggle")
        found += audit(page, f"{path} at 390 px with the menu open")

    # then
    assert found == [], "\n".join(found)
