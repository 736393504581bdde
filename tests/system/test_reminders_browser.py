"""A rep schedules a task with a reminder, the beat job sends it, and the header's bell shows it until read."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, Notification
from activities.tasks import send_due_reminders_task
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


def test_a_task_reminder_rings_the_bell_once_and_reading_it_clears_the_count(page, live_server):
    rep = UserFactory(username="ringer", role="rep")
    lead = LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace")
    sign_in(page, live_server, "ringer")
    assert page.locator("[data-bell-count]").count() == 0

    # schedule a task whose reminder time is the past minute
    page.goto(f"{live_server.url}/leads/{lead.pk}/")
    page.check(".activity-form input[name=kind][value=task]")
    page.fill("#id_subject", "Send the proposal")
    now = timezone.localtime()
    page.fill("#id_due_at", (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    assert page.locator("#id_remind_at").is_hidden()
    page.select_option("#id_remind", "custom")
    page.fill("#id_remind_at", (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
    page.click(".activity-form button[type=submit]")
    page.wait_for_selector(".messages li:has-text('Task added')")
    assert Activity.objects.get(lead=lead).remind_at is not None

    # the beat job runs once: the bell shows one unread notification
    assert send_due_reminders_task() == 1
    page.reload()
    assert page.locator("[data-bell-count]").text_content().strip() == "1 unread"

    # open it, mark it read: the count is gone
    page.click(".bell-menu summary")
    page.wait_for_selector(".bell-menu[data-loaded] .notification:has-text('Send the proposal')")
    page.click(".bell-menu .notification button:has-text('Mark read')")
    page.wait_for_selector(f"h1:has-text('{lead.full_name}')")
    assert page.locator("[data-bell-count]").count() == 0

    # the job runs again: still exactly one notification
    assert send_due_reminders_task() == 0
    assert Notification.objects.filter(user=rep).count() == 1
