"""The rep's daily loop in a real browser: sign in, find a lead, work it, move the deal on the board."""

import pytest

from opportunities.models import Stage
from opportunities.services import create_opportunity
from scoring.models import ScoringRule
from tests.factories import PASSWORD, AccountFactory, LeadFactory, SequenceFactory, StepFactory, UserFactory

XSS = "<img src=x onerror=alert(1)>"

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("default_stages")]


@pytest.fixture
def page(new_context):
    context = new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.dialogs = dialogs
    return page


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('My leads')")


def column_totals(page, stage):
    column = page.locator(f"section[data-stage='{stage.pk}']")
    return (
        column.locator("[data-count]").inner_text(),
        column.locator("[data-amount]").inner_text(),
        column.locator("[data-weighted]").inner_text(),
    )


def test_a_rep_finds_a_lead_works_it_and_moves_the_deal_on_the_board(page, live_server):
    rep = UserFactory(username="walker", role="rep")
    LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", company="Analytical Engines")
    LeadFactory(owner=rep, first_name="Alan", last_name="Turing", company="Bombe Ltd")
    account = AccountFactory(owner=rep, name="Difference Co")
    prospecting, qualification, analysis = (
        Stage.objects.get(name=name) for name in ("Prospecting", "Qualification", "Needs Analysis")
    )
    deal = create_opportunity(by=rep, account=account, name="Engine order", amount="1000.00")
    create_opportunity(by=rep, account=account, name="Spare parts", amount="500.00", stage=qualification)

    # sign in and filter the list
    sign_in(page, live_server, "walker")
    page.fill("#id_q", "Lovelace")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**q=Lovelace**")
    rows = page.locator("table.leads tbody tr")
    assert rows.count() == 1
    assert "Turing" not in rows.first.inner_text()

    # open the lead and change its status
    page.click("text=Ada Lovelace")
    page.wait_for_selector("h1:has-text('Ada Lovelace')")
    page.click(".status-buttons button:has-text('Working')")
    page.wait_for_selector("#status-title .badge:has-text('Working')")

    # log a call; it shows first on the timeline
    page.check("input[name=kind][value=call]")
    page.fill("#id_subject", "Discovery call")
    page.fill("#id_body", "Needs 40 seats by March.")
    page.click(".activity-form button[type=submit]")
    page.wait_for_selector(".messages:has-text('Call added')")
    first = page.locator(".timeline li").first
    assert "Discovery call" in first.inner_text()
    assert "Needs 40 seats by March." in first.inner_text()

    # drag the deal to the next stage and see the column totals change
    page.goto(f"{live_server.url}/opportunities/board/")
    assert column_totals(page, prospecting) == ("1", "$1,000", "$100")
    assert column_totals(page, qualification) == ("1", "$500", "$100")
    page.drag_and_drop(f"[data-card='{deal.pk}']", f"section[data-stage='{qualification.pk}']")
    page.wait_for_selector(".messages:has-text('moved to Qualification')")
    assert column_totals(page, prospecting) == ("0", "$0", "$0")
    assert column_totals(page, qualification) == ("2", "$1,500", "$300")

    # the keyboard alternative: focus the card's "Next stage" button and press Enter
    page.focus(f"[data-card='{deal.pk}'] button:has-text('Next stage')")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages:has-text('moved to Needs Analysis')")
    assert column_totals(page, analysis) == ("1", "$1,000", "$400")
    assert page.dialogs == []


def test_a_lead_named_like_markup_is_rendered_as_text_everywhere(page, live_server):
    rep = UserFactory(username="walker", role="rep")
    lead = LeadFactory(owner=rep, first_name="", last_name=XSS, company=XSS, title=XSS)
    sign_in(page, live_server, "walker")

    link = page.locator("table.leads tbody tr a").first
    assert link.inner_text() == XSS
    page.fill("#id_q", XSS)
    page.click("form.filters button[type=submit]")
    page.wait_for_selector("table.leads")
    assert page.locator("table.leads tbody tr a").first.inner_text() == XSS
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    assert page.locator("h1").inner_text().startswith(XSS)
    page.fill("#id_subject", XSS)
    page.click(".activity-form button[type=submit]")
    page.wait_for_selector(".timeline li")
    assert XSS in page.locator(".timeline li").first.inner_text()
    assert page.locator("img").count() == 0
    assert page.dialogs == []


def test_a_rep_reads_the_score_breakdown_and_enrolls_the_lead_from_its_page(page, live_server):
    ScoringRule.objects.create(name="Executive title", field="title", operator="in", value="ceo, cto", points=25)
    rep = UserFactory(username="walker", role="rep")
    lead = LeadFactory(owner=rep, first_name="Grace", last_name="Hopper", email="grace@navy.example", title="CTO")
    sequence = SequenceFactory(name="Welcome nurture")
    StepFactory(sequence=sequence, order=1, subject="Hello {{ first_name }}")
    sign_in(page, live_server, "walker")

    # the score badge explains itself rule by rule
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    breakdown = page.locator("[data-score-breakdown]")
    assert "Executive title" in breakdown.inner_text()
    assert "+25" in breakdown.locator("tr.line-rule", has_text="Executive title").inner_text()
    assert breakdown.locator("tr.line-engagement").is_visible()

    # enrol in the sequence from the nurture card
    nurture = page.locator("[data-nurture]")
    assert "Not enrolled in a sequence." in nurture.inner_text()
    nurture.locator("select[name=sequence]").select_option(label="Welcome nurture")
    nurture.locator("button:has-text('Enroll in sequence')").click()
    page.wait_for_selector(".messages:has-text('is enrolled in “Welcome nurture”')")

    # the enrollment shows with its next email, and the timeline records it
    enrollment = page.locator("[data-nurture] [data-enrollment]")
    assert enrollment.count() == 1
    assert "Welcome nurture" in enrollment.inner_text()
    assert "Next email" in enrollment.inner_text() and "“Hello Grace”" in enrollment.inner_text()
    assert "Nurture" in page.locator(".timeline li").first.locator(".badge.kind").inner_text()
    assert page.dialogs == []
