"""The pipeline board's cards are compact: a column of 15 deals fits one laptop screen, and moves still work."""

import datetime

import pytest

from opportunities.models import Opportunity, Stage
from opportunities.services import create_opportunity
from tests.factories import PASSWORD, AccountFactory, UserFactory

LAPTOP = {"width": 1280, "height": 800}
CARDS = 15

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("default_stages")]


@pytest.fixture
def page(new_context):
    page = new_context(viewport=LAPTOP).new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def full_column():
    """`CARDS` deals of one rep in Prospecting, with long names, accounts, amounts, close dates and a next step."""
    rep = UserFactory(username="walker", name="Ada Lovelace")
    deals = []
    for n in range(CARDS):
        account = AccountFactory(owner=rep, name=f"Consolidated Analytical Engines and Looms {n} Ltd")
        deals.append(
            create_opportunity(
                by=rep,
                account=account,
                name=f"Enterprise rollout, phase {n}, with a long name",
                amount="1250000.00",
                close_date=datetime.date(2031, 1, 1) + datetime.timedelta(days=n),
                next_step="Send the security questionnaire",
            )
        )
    return rep, deals


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('My leads')")


def test_a_column_of_15_deals_fits_a_laptop_screen_below_its_header(page, live_server, full_column):
    # given
    _rep, deals = full_column
    prospecting = Stage.objects.get(name="Prospecting")
    sign_in(page, live_server, "walker")

    # when
    page.goto(f"{live_server.url}/opportunities/board/")
    column = page.locator(f"section[data-stage='{prospecting.pk}']")
    head = column.locator(".column-head").bounding_box()
    cards = column.locator("li.deal")
    boxes = [cards.nth(i).bounding_box() for i in range(cards.count())]

    # then: the header and all 15 cards are one screen tall, about 52 px or less per card with its gap
    assert len(boxes) == CARDS
    last = boxes[-1]
    pitch = (last["y"] + last["height"] - boxes[0]["y"]) / CARDS
    assert last["y"] + last["height"] - head["y"] <= LAPTOP["height"], f"{pitch:.1f} px per card, header {head}"
    assert pitch <= 52, f"{pitch:.1f} px per card"
    # each card keeps its name, account, amount, close date and the owner's initials in view
    first = cards.first
    assert first.locator(".deal-name").is_visible()
    assert first.locator(".deal-name").inner_text() == deals[0].name
    meta = first.locator(".deal-meta").inner_text()
    assert "Consolidated Analytical Engines" in meta and "$1,250,000" in meta and "Jan 1" in meta
    assert first.locator(".initials").inner_text() == "AL"
    # the rest moved to the tooltip (and the deal's page)
    title = first.get_attribute("title")
    assert "Jan 1, 2031" in title and "10%" in title and "Ada Lovelace" in title and "security questionnaire" in title


def test_deals_still_move_by_drag_by_next_stage_and_by_picking_a_stage(page, live_server, full_column):
    # given
    _rep, deals = full_column
    qualification, analysis, proposal = (
        Stage.objects.get(name=name) for name in ("Qualification", "Needs Analysis", "Proposal")
    )
    sign_in(page, live_server, "walker")
    page.goto(f"{live_server.url}/opportunities/board/")

    # when: dragged onto the next column (its head: aiming at the middle of a column taller than the window would
    # scroll the page between the press and the drag)
    page.drag_and_drop(f"[data-card='{deals[0].pk}']", f"section[data-stage='{qualification.pk}'] .column-head")
    page.wait_for_selector(".messages:has-text('moved to Qualification')")

    # then
    assert Opportunity.objects.get(pk=deals[0].pk).stage == qualification
    assert page.locator(f"section[data-stage='{qualification.pk}'] [data-card='{deals[0].pk}']").is_visible()

    # when: the card's → button, from the keyboard
    page.focus(f"[data-card='{deals[0].pk}'] button:has-text('Next stage')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages:has-text('moved to Needs Analysis')")

    # then
    assert Opportunity.objects.get(pk=deals[0].pk).stage == analysis

    # when: the ⋯ panel, a stage picked, Move
    card = page.locator(f"[data-card='{deals[1].pk}']")
    assert not card.locator("[data-stage-select]").is_visible()
    card.locator("summary").click()
    card.locator("[data-stage-select]").select_option(label="Proposal")
    assert Opportunity.objects.get(pk=deals[1].pk).stage.name == "Prospecting"  # picking alone saves nothing
    card.locator("[data-move-button]").click()
    page.wait_for_selector(".messages:has-text('moved to Proposal')")

    # then
    assert Opportunity.objects.get(pk=deals[1].pk).stage == proposal
