"""The header's search box in a browser: `/` focuses it, three letters from the middle of a company find the lead."""

import pytest

from tests.factories import LeadFactory, UserFactory
from tests.system.screens import sign_in

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("default_stages")]


@pytest.fixture
def page(new_context):
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(10_000)
    return page


def test_slash_focuses_the_search_and_three_letters_from_a_company_open_the_lead(page, live_server):
    # given
    rep = UserFactory(username="finder", role="rep")
    lead = LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", company="Analytical Engines")
    LeadFactory(owner=rep, first_name="Alan", last_name="Turing", company="Bombe Ltd")
    sign_in(page, live_server, "finder")

    # when: "/" from the page, then three letters from the middle of the company and Enter
    page.locator("body").press("/")
    assert page.evaluate("document.activeElement.id") == "site-search"
    page.keyboard.type("lyt")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/search/?q=lyt")

    # then: the lead is the one result, and its link opens it
    results = page.locator("table.grid tbody a")
    assert results.all_inner_texts() == ["Ada Lovelace"]
    results.first.click()
    page.wait_for_url(f"{live_server.url}/leads/{lead.pk}/")


def test_slash_types_a_slash_inside_a_field(page, live_server):
    UserFactory(username="finder", role="rep")
    sign_in(page, live_server, "finder")
    page.goto(f"{live_server.url}/leads/new/")

    field = page.locator("#id_website")
    field.click()
    page.keyboard.type("a/b")

    assert field.input_value() == "a/b"
    assert page.evaluate("document.activeElement.id") == "id_website"
