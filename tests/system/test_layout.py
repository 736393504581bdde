"""Every main page is usable on a tablet (768 px) and readable on a phone (390 px), in a real browser.

Nothing may scroll the page sideways: a wide table drops its low-priority columns or scrolls inside its wrapper,
the board scrolls inside its own box, bars and buttons wrap. The navigation folds behind a menu button.
"""

from __future__ import annotations

import pytest

from tests.system.screens import build_book, screens, sign_in

TABLET, PHONE = (768, 1024), (390, 844)

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True)]

# Controls that stick out of the viewport sideways, unless a scrolling box (a table wrapper, the board) holds them.
CONTROLS_OFF_SCREEN = """() => {
    const inScroller = (el) => {
        for (let box = el.parentElement; box; box = box.parentElement) {
            if (["auto", "scroll"].includes(getComputedStyle(box).overflowX)) return true;
        }
        return false;
    };
    return [...document.querySelectorAll("button, .button, input, select, textarea")]
        .filter((el) => el.offsetParent !== null && !inScroller(el))
        .filter((el) => { const r = el.getBoundingClientRect(); return r.left < -1 || r.right > innerWidth + 1; })
        .map((el) => el.outerHTML.slice(0, 100));
}"""


@pytest.fixture
def book(rep, manager):
    return build_book(rep, manager)


@pytest.fixture
def open_page(new_context):
    def make(size: tuple[int, int], **options):
        context = new_context(viewport={"width": size[0], "height": size[1]}, **options)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    return make


def page_width(page) -> tuple[int, int]:
    return page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")


@pytest.mark.parametrize("size", [TABLET, PHONE], ids=["768px", "390px"])
@pytest.mark.parametrize("role", ["rep", "manager"])
def test_no_page_scrolls_sideways_and_each_shows_its_primary_action(
    role, size, book, rep, manager, open_page, live_server
):
    # given
    user = rep if role == "rep" else manager
    page = open_page(size)
    sign_in(page, live_server, user.username)
    problems = []

    for screen in screens(book):
        if role not in screen.roles:
            continue
        # when
        page.goto(f"{live_server.url}{screen.path}")

        # then
        scroll_width, viewport = page_width(page)
        if scroll_width > viewport:
            problems.append(f"{screen.name}: the page is {scroll_width} px wide in a {viewport} px window")
        problems += [f"{screen.name}: off screen: {html}" for html in page.evaluate(CONTROLS_OFF_SCREEN)]
        action = page.locator(screen.primary).first
        if not action.is_visible():
            problems.append(f"{screen.name}: the primary action {screen.primary!r} is not visible")
            continue
        action.scroll_into_view_if_needed()
        box = action.bounding_box()
        if box["x"] < 0 or box["x"] + box["width"] > viewport:
            problems.append(f"{screen.name}: the primary action {screen.primary!r} is cut off at {box}")
    assert problems == [], "\n".join(problems)


def test_the_login_page_fits_a_phone(open_page, live_server):
    page = open_page(PHONE)
    page.goto(f"{live_server.url}/login/")
    assert page_width(page)[0] <= PHONE[0]
    assert page.locator("button:has-text('Sign in')").is_visible()


@pytest.mark.parametrize("size", [TABLET, PHONE], ids=["768px", "390px"])
def test_the_board_scrolls_inside_its_own_box_and_the_page_does_not(size, book, rep, open_page, live_server):
    # given
    page = open_page(size)
    sign_in(page, live_server, rep.username)

    # when
    page.goto(f"{live_server.url}/opportunities/board/")
    board = page.locator("[data-board]")
    board.evaluate("board => { board.scrollLeft = board.scrollWidth; }")

    # then
    assert board.evaluate("board => board.scrollWidth > board.clientWidth")
    assert board.evaluate("board => board.scrollLeft > 0")
    assert page.evaluate("window.scrollX") == 0
    assert page_width(page)[0] <= size[0]
    last_column = page.locator("[data-board] section.column").last
    assert last_column.bounding_box()["x"] + last_column.bounding_box()["width"] <= size[0]


def test_the_menu_button_opens_and_closes_the_navigation_on_a_phone(book, rep, open_page, live_server):
    # given
    page = open_page(PHONE)
    sign_in(page, live_server, rep.username)
    toggle = page.locator(".nav-toggle")
    first_link = page.locator(".mainnav a").first
    log_out = page.locator(".logout button")

    # then: folded away behind the button
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not first_link.is_visible() and not log_out.is_visible()

    # when: a click opens it
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert first_link.is_visible() and log_out.is_visible()
    assert page_width(page)[0] <= PHONE[0]
    # and a second click closes it
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not first_link.is_visible()

    # when: the keyboard opens it, Tab walks into it and Escape closes it again
    toggle.focus()
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "My leads"
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not first_link.is_visible()
    assert page.evaluate("document.activeElement.classList.contains('nav-toggle')")

    # when: a link in the open menu is followed
    toggle.click()
    page.locator(".mainnav a:has-text('Tasks')").click()
    page.wait_for_url("**/tasks/")
    assert page.locator("h1").inner_text() == "My tasks"


def test_wider_screens_show_the_navigation_without_a_menu_button(book, rep, open_page, live_server):
    page = open_page(TABLET)
    sign_in(page, live_server, rep.username)
    assert not page.locator(".nav-toggle").is_visible()
    assert page.locator(".mainnav a:has-text('Tasks')").is_visible()
    assert page.locator(".logout button").is_visible()


def test_without_javascript_the_navigation_stays_open_on_a_phone(book, rep, open_page, live_server):
    page = open_page(PHONE, java_script_enabled=False)
    sign_in(page, live_server, rep.username)
    assert not page.locator(".nav-toggle").is_visible()
    assert page.locator(".mainnav a:has-text('Tasks')").is_visible()
    assert page_width(page)[0] <= PHONE[0]
