"""The lead board in Chromium: compact columns, drag and drop, the keyboard's move menu, unqualified asks why."""

import pytest

from leads.models import Lead
from tests.factories import PASSWORD, LeadFactory, UserFactory

LAPTOP = {"width": 1280, "height": 800}
COLUMN = 20

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("default_stages")]


@pytest.fixture
def page(new_context):
    page = new_context(viewport=LAPTOP).new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def leads():
    """`COLUMN` new leads of one rep with long names and companies, graded and scored, and one working lead."""
    rep = UserFactory(username="walker", name="Ada Lovelace")
    new = [
        LeadFactory(
            owner=rep,
            first_name="Augusta",
            last_name=f"King-Noel Lovelace {n}",
            company=f"Consolidated Analytical Engines and Looms {n} Ltd",
        )
        for n in range(COLUMN)
    ]
    Lead.objects.filter(pk__in=[lead.pk for lead in new]).update(grade="A", score=82, rating="hot")
    working = LeadFactory(owner=rep, status="working", last_name="Turing")
    return rep, new, working


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('My leads')")
    page.goto(f"{live_server.url}/leads/board/")


def count(page, status):
    return page.locator(f"section[data-stage='{status}'] [data-count]")


def test_a_column_of_20_leads_fits_a_laptop_screen_below_its_header(page, live_server, leads):
    # given
    _rep, new, _working = leads
    sign_in(page, live_server, "walker")

    # when
    column = page.locator("section[data-stage='new']")
    head = column.locator(".column-head").bounding_box()
    cards = column.locator("li[data-card]")
    boxes = [cards.nth(i).bounding_box() for i in range(cards.count())]

    # then: the header and all 20 cards are one screen tall
    assert len(boxes) == COLUMN
    last = boxes[-1]
    pitch = (last["y"] + last["height"] - boxes[0]["y"]) / COLUMN
    assert last["y"] + last["height"] - head["y"] <= LAPTOP["height"], f"{pitch:.1f} px per card, header {head}"
    # each card keeps its name, company, score, grade and the owner's initials in view
    first = cards.first
    assert first.locator(".deal-name").inner_text() == new[-1].full_name  # newest first
    assert "Consolidated Analytical" in first.locator(".deal-meta").inner_text()
    assert first.locator(".badge.rating-hot").inner_text() == "82"
    assert first.locator(".badge.grade-a").inner_text() == "A"
    assert first.locator(".initials").inner_text() == "AL"


def test_dragging_a_lead_from_new_to_working_saves_it_and_recounts_both_columns(page, live_server, leads):
    # given
    _rep, new, _working = leads
    sign_in(page, live_server, "walker")
    lead = new[-1]
    assert (count(page, "new").inner_text(), count(page, "working").inner_text()) == ("20", "1")

    # when: dropped on the next column's head (aiming at a column taller than the window would scroll the page)
    page.drag_and_drop(f"[data-card='{lead.pk}']", "section[data-stage='working'] .column-head")

    # then
    page.wait_for_selector(f"section[data-stage='working'] [data-card='{lead.pk}']")
    assert (count(page, "new").inner_text(), count(page, "working").inner_text()) == ("19", "2")
    page.wait_for_selector(".toast:has-text('changed to Working')")
    assert Lead.objects.get(pk=lead.pk).status == "working"


def test_a_keyboard_user_moves_a_lead_with_the_move_menu(page, live_server, leads):
    # given
    _rep, new, _working = leads
    sign_in(page, live_server, "walker")
    lead = new[-1]
    card = page.locator(f"[data-card='{lead.pk}']")

    # when: the card's ⋯ menu opened with Enter, the next status picked with the arrow key, Move pressed
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    card.locator("[data-stage-select]").focus()
    page.keyboard.press("ArrowDown")
    card.locator("[data-move-button]").focus()
    page.keyboard.press("Enter")

    # then: saved, counted, and the focus stays on the card's menu in its new column
    page.wait_for_selector(f"section[data-stage='working'] [data-card='{lead.pk}']")
    assert (count(page, "new").inner_text(), count(page, "working").inner_text()) == ("19", "2")
    assert Lead.objects.get(pk=lead.pk).status == "working"
    assert page.evaluate("document.activeElement.closest('[data-card]').dataset.card") == str(lead.pk)


def test_dropping_on_unqualified_asks_why_in_a_dialog(page, live_server, leads):
    # given
    _rep, _new, working = leads
    sign_in(page, live_server, "walker")

    # when
    page.drag_and_drop(f"[data-card='{working.pk}']", "section[data-stage='unqualified'] .column-head")
    dialog = page.locator("dialog.reason-dialog")
    dialog.locator("input").wait_for()
    page.keyboard.type("No budget this year")
    page.keyboard.press("Enter")

    # then
    page.wait_for_selector(f"section[data-stage='working'] [data-card='{working.pk}']", state="detached")
    assert count(page, "working").inner_text() == "0"
    saved = Lead.objects.get(pk=working.pk)
    assert (saved.status, saved.unqualified_reason) == ("unqualified", "No budget this year")


def test_cancelling_the_reason_leaves_the_lead_where_it_was(page, live_server, leads):
    _rep, _new, working = leads
    sign_in(page, live_server, "walker")

    page.drag_and_drop(f"[data-card='{working.pk}']", "section[data-stage='unqualified'] .column-head")
    page.locator("dialog.reason-dialog input").wait_for()
    page.keyboard.press("Escape")

    assert page.locator(f"section[data-stage='working'] [data-card='{working.pk}']").is_visible()
    assert Lead.objects.get(pk=working.pk).status == "working"


def test_the_reason_dialog_and_the_toast_pass_axe(new_context, live_server, leads):
    # given: axe-core loaded on the board
    from tests.system.test_accessibility import AXE, audit

    context = new_context(viewport=LAPTOP)
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.set_default_timeout(10_000)
    _rep, new, working = leads
    sign_in(page, live_server, "walker")

    # when: a move shows its toast, then the reason dialog is open
    page.drag_and_drop(f"[data-card='{new[-1].pk}']", "section[data-stage='working'] .column-head")
    page.wait_for_selector(".toast [data-undo]")
    with_toast = audit(page, "board with a toast")
    page.drag_and_drop(f"[data-card='{working.pk}']", "section[data-stage='unqualified'] .column-head")
    page.locator("dialog.reason-dialog input").wait_for()
    with_dialog = audit(page, "board with the reason dialog")

    # then
    assert with_toast + with_dialog == []
    assert page.evaluate("document.activeElement.id") == "reason-dialog-input"
