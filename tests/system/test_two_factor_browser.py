"""In the browser: a rep turns on two-factor sign-in from their settings, then signs in with the password and a
recovery code, and nothing opens in between; each of these pages passes axe-core."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from tests.factories import PASSWORD, UserFactory
from tests.system.test_accessibility import AXE, audit

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("default_stages")]


@pytest.fixture
def page(new_context):
    context = new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def _sign_in_with_password(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_a_rep_turns_on_two_factor_and_signs_in_with_the_password_and_a_recovery_code(page, live_server):
    UserFactory(username="careful", role="rep")
    _sign_in_with_password(page, live_server, "careful")
    page.wait_for_selector("h1:has-text('My leads')")

    # set it up from the settings: scan (here: read) the key, type the app's code
    page.click("a.who")
    page.click("a:has-text('Two-factor sign-in')")
    page.click("button:has-text('Set up two-factor sign-in')")
    assert page.locator("figure svg").count() == 1
    found = audit(page, "two-factor set-up")
    secret = page.locator("[data-secret]").text_content().replace(" ", "")
    page.fill("#id_code", f"{TOTP(b32decode(secret)).token():06d}")
    page.click("button:has-text('Turn on')")
    codes = page.locator("[data-recovery-codes] code").all_text_contents()
    assert len(codes) == 10
    found += audit(page, "recovery codes")

    # sign out, sign in again: the password alone opens nothing
    page.click("button:has-text('Log out')")
    _sign_in_with_password(page, live_server, "careful")
    page.wait_for_selector("h1:has-text('Enter your code')")
    page.goto(f"{live_server.url}/leads/")
    page.wait_for_selector("h1:has-text('Enter your code')")
    found += audit(page, "the code step")

    # a recovery code finishes the sign-in and goes where the rep was headed
    page.fill("#id_code", codes[0])
    page.click("button:has-text('Continue')")
    page.wait_for_selector("h1:has-text('My leads')")
    assert page.url.endswith("/leads/")
    assert found == [], "\n".join(found)
