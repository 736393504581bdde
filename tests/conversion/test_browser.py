"""The Convert page in a real browser."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

from accounts.models import Account
from accounts.services import create_account
from leads.models import Lead
from opportunities.models import Opportunity
from tests.factories import qualified_lead


@pytest.mark.chromium
@pytest.mark.django_db(transaction=True)
def test_a_rep_converts_a_qualified_lead_into_an_existing_account_in_the_browser(live_server, rep, new_context):
    from django.contrib.sessions.backends.db import SessionStore

    account = create_account(by=rep, name="Initech", website="initech.example")
    lead = qualified_lead(rep, email="ada@initech.example", company="Initech LLC")
    session = SessionStore()
    session[SESSION_KEY] = str(rep.pk)
    session[BACKEND_SESSION_KEY] = "users.backends.RoleModelBackend"
    session[HASH_SESSION_KEY] = rep.get_session_auth_hash()
    session.save()

    context = new_context()
    context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": live_server.url}])
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Ada Lovelace", exact=True).click()
    page.get_by_role("link", name="Convert", exact=True).click()
    page.get_by_role("radio", name="Initech — same company domain (initech.example)").check()
    assert page.get_by_label("Create an opportunity").is_checked()
    page.get_by_label("Opportunity name").fill("Initech rollout")
    page.get_by_label("Amount").fill("12500")
    page.get_by_label("Stage").select_option(label="Qualification")
    # Keyboard alone: focus the submit button and press Enter.
    page.get_by_role("button", name="Convert").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/opportunities/*/")
    heading = page.get_by_role("heading", level=1).inner_text()
    message = page.locator(".messages").inner_text()

    opportunity = Opportunity.objects.get()
    assert heading == "Initech rollout"
    assert "Ada Lovelace was converted into Initech." in message
    assert opportunity.account == account and opportunity.stage.name == "Qualification"
    assert Account.objects.count() == 1
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.CONVERTED
