"""Inline edits in Chromium: a phone number saved in place, a bad value refused beside the field, a status change
undone from its toast."""

import pytest

from leads.models import Lead, LeadStatusChange
from tests.factories import PASSWORD, LeadFactory, UserFactory

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("default_stages")]


@pytest.fixture
def page(new_context):
    page = new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def lead():
    rep = UserFactory(username="walker", role="rep")
    return LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", phone="", status=Lead.Status.NEW)


def open_lead(page, live_server, lead):
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "walker")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("h1:has-text('My leads')")
    page.goto(f"{live_server.url}/leads/{lead.pk}/")


def test_a_phone_number_edited_in_place_is_there_after_a_reload(page, live_server, lead):
    # given
    open_lead(page, live_server, lead)
    phone = page.locator("[data-field='phone']")

    # when: the value clicked, a number typed, Enter
    phone.locator("[data-display]").click()
    page.locator("[data-inline-input='phone']").fill("+1 555 0100")
    page.keyboard.press("Enter")

    # then
    page.wait_for_selector("[data-field='phone'] [data-display]:has-text('+1 555 0100')")
    page.reload()
    assert phone.locator("[data-display]").inner_text() == "+1 555 0100"
    assert Lead.objects.get(pk=lead.pk).phone == "+1 555 0100"


def test_escape_cancels_and_a_bad_value_is_refused_beside_the_field(page, live_server, lead):
    # given
    open_lead(page, live_server, lead)
    edit = page.get_by_role("button", name="Edit phone")

    # when: opened from the keyboard, typed, Escape
    edit.focus()
    page.keyboard.press("Enter")
    page.keyboard.type("12345")
    page.keyboard.press("Escape")

    # then: nothing saved, the focus back on the button
    assert page.locator("[data-inline-input='phone']").count() == 0
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Edit phone"

    # when: a value too long for the field
    page.keyboard.press("Enter")
    page.locator("[data-inline-input='phone']").fill("9" * 80)
    page.keyboard.press("Enter")

    # then: the error beside the input names the problem; the input stays open
    error = page.locator("[data-field='phone'] .inline-editor .error")
    error.wait_for()
    assert "at most 50 characters" in error.inner_text()
    assert page.locator("[data-inline-input='phone']").get_attribute("aria-invalid") == "true"
    assert Lead.objects.get(pk=lead.pk).phone == ""


def test_a_status_change_is_undone_from_its_toast(page, live_server, lead):
    # given
    open_lead(page, live_server, lead)

    # when: the status changed in place
    page.get_by_role("button", name="Edit status").click()
    page.locator("[data-inline-input='status']").select_option("working")
    page.keyboard.press("Enter")
    page.wait_for_selector(".toast:has-text('Status changed to Working')")
    assert Lead.objects.get(pk=lead.pk).status == "working"

    # when: Undo pressed while the toast shows
    page.locator(".toast [data-undo]").click()

    # then: back to new, through a second recorded change
    page.wait_for_selector(".toast:has-text('Undone')")
    assert page.locator("[data-field='status'] [data-display]").inner_text() == "New"
    assert Lead.objects.get(pk=lead.pk).status == "new"
    changes = list(LeadStatusChange.objects.filter(lead=lead).values_list("from_status", "to_status"))
    assert changes[-2:] == [("new", "working"), ("working", "new")]
