"""A rep shapes the lead list, saves it as a view, and reopens it from the navigation."""

import pytest

from leads.models import Lead
from tests.factories import PASSWORD, LeadFactory, UserFactory

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("default_stages")]


@pytest.fixture
def page(new_context):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    return page


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('My leads')")


def row_names(page) -> list[str]:
    return page.locator("table.leads tbody tr td:nth-child(2) a").all_inner_texts()


def test_a_rep_saves_a_filtered_sorted_lead_list_and_reopens_it_from_the_navigation(page, live_server):
    rep = UserFactory(username="walker", role="rep")
    for last_name, company, status in [
        ("Lovelace", "Zeta Engines", "working"),
        ("Turing", "Bombe Ltd", "working"),
        ("Hopper", "Navy Labs", "working"),
        ("Babbage", "Analytical Co", "new"),
    ]:
        lead = LeadFactory(owner=rep, last_name=last_name, company=company)
        Lead.objects.filter(pk=lead.pk).update(status=status)
    sign_in(page, live_server, "walker")

    # filter by status, then sort by a column header
    page.select_option("#id_status", "working")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**status=working**")
    assert page.locator("[data-record-count]").inner_text() == "3 leads"
    page.click("th a.sort:has-text('Company')")
    page.wait_for_url("**sort=company**")
    assert page.locator("th[aria-sort='ascending']").text_content().strip().startswith("Company")
    rows = row_names(page)
    assert [name.split()[-1] for name in rows] == ["Turing", "Hopper", "Lovelace"]

    # save the view under a name
    page.click("details.save-view summary")
    page.fill("#save-view-name", "Working by company")
    page.click("details.save-view button[type=submit]")
    page.wait_for_selector(".messages li:has-text('Working by company')")

    # navigate away, then reopen it from the navigation
    page.click("nav.mainnav a:has-text('Accounts')")
    page.wait_for_selector("h1:has-text('Accounts')")
    page.click("details.views-menu summary")
    page.click("details.views-menu a:has-text('Working by company')")
    page.wait_for_url("**/leads/?**sort=company**")
    assert page.locator("#id_status").input_value() == "working"
    assert page.locator("th[aria-sort='ascending']").text_content().strip().startswith("Company")
    assert row_names(page) == rows
    assert page.locator("[data-record-count]").inner_text() == "3 leads"
