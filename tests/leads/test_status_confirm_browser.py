"""A status select in the lead list saves only on an explicit confirm, never on a keypress that merely picks."""

import pytest

from leads.models import Lead, LeadStatusChange
from tests.factories import PASSWORD, LeadFactory, UserFactory

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("default_stages")]


@pytest.fixture
def page(new_context):
    """A laptop-sized page that records every POST it sends and answers the reason prompt with `page.reason`."""
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(10_000)
    page.posts = []
    page.reason = None
    page.on("request", lambda request: page.posts.append(request.url) if request.method == "POST" else None)
    page.on("dialog", lambda dialog: dialog.accept(page.reason) if page.reason else dialog.dismiss())
    return page


@pytest.fixture
def leads():
    rep = UserFactory(username="walker", role="rep")
    ada = LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", status=Lead.Status.NEW)
    alan = LeadFactory(owner=rep, first_name="Alan", last_name="Turing", status=Lead.Status.NEW)
    return ada, alan


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('My leads')")
    page.posts.clear()


def status_form(page, lead):
    return page.locator(f"form[action='/leads/{lead.pk}/status/']")


def test_arrow_keys_only_pick_a_status_and_enter_saves_it(page, live_server, leads):
    # given
    ada, alan = leads
    sign_in(page, live_server, "walker")
    select = status_form(page, ada).locator("select[name=status]")

    # when: a keyboard user on the select presses ArrowDown, then walks on with Tab
    select.focus()
    page.keyboard.press("ArrowDown")
    assert select.input_value() == Lead.Status.WORKING  # the choice moved ...
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.wait_for_timeout(500)

    # then: ... and nothing was sent or saved
    assert page.posts == []
    assert Lead.objects.get(pk=ada.pk).status == Lead.Status.NEW
    assert not LeadStatusChange.objects.filter(lead=ada).exists()
    page.reload()
    assert status_form(page, ada).locator("select[name=status]").input_value() == Lead.Status.NEW

    # when: the choice is confirmed with Enter
    select = status_form(page, ada).locator("select[name=status]")
    select.focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_selector(".messages:has-text('Ada Lovelace is now working')")

    # then: saved once, with its history row; the other lead is untouched
    assert Lead.objects.get(pk=ada.pk).status == Lead.Status.WORKING
    assert list(LeadStatusChange.objects.filter(lead=ada).values_list("from_status", "to_status")) == [
        ("new", "working")
    ]
    assert status_form(page, ada).locator("select[name=status]").input_value() == Lead.Status.WORKING
    assert Lead.objects.get(pk=alan.pk).status == Lead.Status.NEW
    assert not LeadStatusChange.objects.filter(lead=alan).exists()


def test_a_picked_status_saves_with_the_set_button_and_escape_puts_the_saved_one_back(page, live_server, leads):
    # given
    ada, alan = leads
    sign_in(page, live_server, "walker")
    form = status_form(page, alan)
    select = form.locator("select[name=status]")

    # when: picked, then abandoned with Escape
    select.select_option(Lead.Status.NURTURING)
    assert "pending" in form.get_attribute("class")
    select.focus()
    page.keyboard.press("Escape")

    # then
    assert select.input_value() == Lead.Status.NEW
    assert "pending" not in form.get_attribute("class")
    assert page.posts == []

    # when: picked and confirmed with the button
    select.select_option(Lead.Status.NURTURING)
    form.locator("button:has-text('Set')").click()
    page.wait_for_selector(".messages:has-text('Alan Turing is now nurturing')")

    # then
    assert Lead.objects.get(pk=alan.pk).status == Lead.Status.NURTURING
    assert LeadStatusChange.objects.filter(lead=alan, to_status="nurturing").count() == 1
    assert not LeadStatusChange.objects.filter(lead=ada).exists()


def test_unqualified_asks_for_the_reason_on_confirm_and_a_dismissed_prompt_saves_nothing(page, live_server, leads):
    # given
    ada, _alan = leads
    sign_in(page, live_server, "walker")
    form = status_form(page, ada)
    form.locator("select[name=status]").select_option(Lead.Status.UNQUALIFIED)

    # when: the prompt is dismissed
    form.locator("button:has-text('Set')").click()
    page.wait_for_timeout(300)

    # then
    assert page.posts == []
    assert Lead.objects.get(pk=ada.pk).status == Lead.Status.NEW

    # when: answered
    page.reason = "No budget this year"
    form.locator("button:has-text('Set')").click()
    page.wait_for_selector(".messages:has-text('Ada Lovelace is now unqualified')")

    # then
    lead = Lead.objects.get(pk=ada.pk)
    assert (lead.status, lead.unqualified_reason) == (Lead.Status.UNQUALIFIED, "No budget this year")
