"""A rep records a new customer by hand in a real browser: account, then a contact on it, then a deal on that
account with the contact in a role, each form landing on the new record's page."""

import re

import pytest

from accounts.models import Account
from accounts.services import create_account
from contacts.models import Contact
from opportunities.models import Opportunity
from tests.factories import UserFactory
from tests.system.screens import sign_in

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("default_stages")]


@pytest.fixture
def page(new_context):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    return page


def test_a_rep_creates_an_account_a_contact_on_it_and_a_deal_with_the_contact_in_a_role(page, live_server):
    rep = UserFactory(username="walker", role="rep")
    create_account(by=rep, name="Initech", website="initech.example")
    sign_in(page, live_server, "walker")

    # the account: a look-alike of an existing one is hinted, saving is still allowed
    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("link", name="New account").click()
    page.wait_for_load_state()  # the hints are set up once the page's scripts have run
    page.get_by_label("Name").fill("Globex Corporation")
    page.get_by_label("Website").fill("https://www.initech.example/")
    hint = page.locator(".dup-hint")
    hint.get_by_text("Possible duplicate:").wait_for()
    assert hint.get_by_role("link", name="Initech").count() == 1
    page.get_by_label("Website").fill("globex.example")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/accounts/\d+/$"))
    account = Account.objects.get(name="Globex Corporation")
    assert page.url.endswith(f"/accounts/{account.pk}/")

    # a contact on it: the account is already chosen
    page.get_by_role("link", name="New contact").click()
    assert page.get_by_role("combobox", name="Account").input_value() == "Globex Corporation"
    page.get_by_label("First name").fill("Hank")
    page.get_by_label("Last name").fill("Scorpio")
    page.get_by_label("Email").fill("hank@globex.example")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/contacts/\d+/$"))
    contact = Contact.objects.get(last_name="Scorpio")
    assert page.url.endswith(f"/contacts/{contact.pk}/")
    assert contact.account == account

    # a deal on the account, the contact picked with the keyboard in the role picker
    page.get_by_role("link", name="Globex Corporation").click()
    page.get_by_role("link", name="New opportunity").click()
    page.get_by_label("Name").fill("Globex rollout")
    page.get_by_label("Stage").select_option(label="Proposal")
    page.get_by_label("Amount").fill("25000")
    page.get_by_label("Close date").fill("2030-06-30")
    picker = page.get_by_role("combobox", name="Contact 1")
    picker.fill("scor")
    page.get_by_role("option", name=re.compile("Hank Scorpio")).wait_for()
    picker.press("ArrowDown")
    picker.press("Enter")
    assert picker.input_value() == "Hank Scorpio"
    page.get_by_label("Role 1").fill("Economic buyer")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/opportunities/\d+/$"))

    deal = Opportunity.objects.get(name="Globex rollout")
    assert page.url.endswith(f"/opportunities/{deal.pk}/")
    assert (deal.account, deal.stage.name, str(deal.amount), str(deal.close_date)) == (
        account,
        "Proposal",
        "25000.00",
        "2030-06-30",
    )
    role = deal.contact_roles.get()
    assert (role.contact, role.role, role.is_primary) == (contact, "Economic buyer", True)
    roles = page.locator("section[aria-labelledby=roles-title]")
    assert "Hank Scorpio" in roles.inner_text() and "primary" in roles.inner_text()
