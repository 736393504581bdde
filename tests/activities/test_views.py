"""The rep's task tabs, the week calendar, the notification pages and logging a call from a record page."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, Notification
from activities.services import complete_task, log_activity, notify
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db


def _at(days: int, hour: int = 12) -> datetime:
    """Noon (or `hour`) `days` from today, local time."""
    return timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=days), time(hour)))


@pytest.fixture
def my_tasks(rep):
    lead = LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace")
    tasks = {
        "overdue": log_activity(by=rep, kind="task", subject="Overdue call", due_at=_at(-2), lead=lead),
        "today": log_activity(by=rep, kind="task", subject="Call today", due_at=_at(0), lead=lead),
        "upcoming": log_activity(by=rep, kind="task", subject="Next week", due_at=_at(7), lead=lead),
        "later": log_activity(by=rep, kind="task", subject="Next quarter", due_at=_at(40), lead=lead),
        "done": log_activity(by=rep, kind="task", subject="Sent the deck", due_at=_at(-1), lead=lead),
    }
    complete_task(tasks["done"], by=rep)
    return tasks


def _tab(client, tab: str) -> str:
    return client.get(reverse("activities:tasks"), {"tab": tab}).content.decode()


def test_each_tab_lists_only_its_own_tasks(client, rep, my_tasks):
    client.force_login(rep)
    subjects = ["Overdue call", "Call today", "Next week", "Next quarter", "Sent the deck"]
    expected = {
        "today": {"Call today"},
        "overdue": {"Overdue call"},
        "upcoming": {"Next week"},
        "done": {"Sent the deck"},
    }
    for tab, shown in expected.items():
        content = _tab(client, tab)
        assert {s for s in subjects if s in content} == shown, tab


def test_the_current_tab_is_marked_and_an_unknown_tab_shows_today(client, rep, my_tasks):
    client.force_login(rep)
    assert '<a href="?tab=upcoming" class="active" aria-current="page">' in _tab(client, "upcoming")
    content = _tab(client, "<script>")
    assert '<a href="?tab=today" class="active" aria-current="page">' in content and "Call today" in content


def test_today_points_to_the_overdue_tasks(client, rep, my_tasks):
    client.force_login(rep)
    assert "1 overdue task from earlier days" in _tab(client, "today")


def test_a_task_is_marked_done_from_the_list_and_moves_to_done(client, rep, my_tasks):
    client.force_login(rep)
    task = my_tasks["today"]
    response = client.post(reverse("activities:complete", args=[task.pk]), {"next": "/tasks/?tab=today"})
    assert response.status_code == 302 and response.url == "/tasks/?tab=today"
    shown = client.get(reverse("activities:tasks"), {"tab": "done"}).context["tasks"]
    assert [t.subject for t in shown] == ["Call today", "Sent the deck"]
    assert task not in client.get(reverse("activities:tasks"), {"tab": "today"}).context["tasks"]


def test_a_second_rep_sees_none_of_the_first_reps_tasks_and_gets_404(client, rep, other_rep, my_tasks):
    client.force_login(other_rep)
    for tab in ("today", "overdue", "upcoming", "done"):
        content = _tab(client, tab)
        assert not any(task.subject in content for task in my_tasks.values())
    assert "Call today" not in client.get(reverse("calendar")).content.decode()
    response = client.post(reverse("activities:complete", args=[my_tasks["today"].pk]))
    assert response.status_code == 404
    assert Activity.objects.get(pk=my_tasks["today"].pk).completed_at is None


@pytest.mark.parametrize("tab", ["today", "overdue", "upcoming", "done"])
def test_a_tab_costs_the_same_queries_with_more_tasks(client, rep, tab, django_assert_max_num_queries):
    account = AccountFactory(owner=rep)
    client.force_login(rep)
    for _ in range(2):
        task = log_activity(by=rep, kind="task", subject="T", due_at=_at({"overdue": -3}.get(tab, 0)), account=account)
    with django_assert_max_num_queries(12) as few:
        _tab(client, tab)
    for days in (-3, -1, 0, 0, 2, 5, 9, 13):
        task = log_activity(by=rep, kind="task", subject="T", due_at=_at(days), lead=LeadFactory(owner=rep))
        if days == 5:
            complete_task(task, by=rep)
    with django_assert_max_num_queries(len(few.captured_queries)):
        _tab(client, tab)


def test_the_calendar_shows_this_weeks_tasks_and_meetings_by_day_with_links(client, rep):
    lead = LeadFactory(owner=rep)
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    day = timezone.make_aware(datetime.combine(monday + timedelta(days=2), time(15, 30)))
    log_activity(by=rep, kind="task", subject="Send contract", due_at=day, lead=lead)
    log_activity(by=rep, kind="meeting", subject="Demo with Globex", due_at=day, completed_at=None, lead=lead)
    log_activity(by=rep, kind="task", subject="Far away", due_at=day + timedelta(days=21), lead=lead)
    client.force_login(rep)
    response = client.get(reverse("calendar"))
    content = response.content.decode()
    days = response.context["days"]
    assert [d.day for d in days] == [monday + timedelta(days=i) for i in range(7)]
    assert [a.subject for a in days[2].items] == ["Send contract", "Demo with Globex"]
    assert "Far away" not in content
    assert f'href="/leads/{lead.pk}/#timeline"' in content
    assert 'aria-current="date"' in content


def test_the_calendar_moves_by_week_and_ignores_a_bad_week(client, rep):
    lead = LeadFactory(owner=rep)
    log_activity(by=rep, kind="task", subject="In three weeks", due_at=_at(21), lead=lead)
    client.force_login(rep)
    target = timezone.localdate() + timedelta(days=21)
    response = client.get(reverse("calendar"), {"week": target.isoformat()})
    assert "In three weeks" in response.content.decode()
    monday = response.context["monday"]
    assert f"?week={(monday - timedelta(days=7)).isoformat()}" in response.content.decode()
    for bad in ("2026-13-45", "nonsense", "0001-01-01", "9" * 50):
        assert client.get(reverse("calendar"), {"week": bad}).status_code == 200


def test_the_calendar_costs_the_same_queries_with_more_items(client, rep, django_assert_max_num_queries):
    client.force_login(rep)
    log_activity(by=rep, kind="task", subject="T", due_at=_at(0), lead=LeadFactory(owner=rep))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("calendar"))
    for _ in range(6):
        log_activity(by=rep, kind="task", subject="T", due_at=_at(0), lead=LeadFactory(owner=rep))
        log_activity(by=rep, kind="meeting", subject="M", account=AccountFactory(owner=rep))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("calendar"))


def test_the_bell_counts_unread_notifications_and_marking_read_clears_it(client, rep, other_rep):
    first = notify(rep, kind=Notification.Kind.REMINDER, text="Reminder: call Ada", url="/tasks/")
    notify(rep, kind=Notification.Kind.REMINDER, text="Reminder: send deck")
    notify(other_rep, kind=Notification.Kind.REMINDER, text="Not yours")
    client.force_login(rep)
    assert "data-bell-count>2<" in client.get(reverse("activities:tasks")).content.decode()
    menu = client.get(reverse("notifications:menu"), {"next": "/tasks/"}).content.decode()
    assert "Reminder: call Ada" in menu and "Not yours" not in menu
    response = client.post(reverse("notifications:read", args=[first.pk]), {"next": "/tasks/"})
    assert response.status_code == 302 and response.url == "/tasks/"
    assert "data-bell-count>1<" in client.get(reverse("activities:tasks")).content.decode()
    client.post(reverse("notifications:read_all"))
    assert "data-bell-count" not in client.get(reverse("notifications:list")).content.decode()


def test_another_users_notification_answers_404_and_stays_unread(client, rep, other_rep):
    theirs = notify(other_rep, kind=Notification.Kind.REMINDER, text="Theirs")
    client.force_login(rep)
    assert client.post(reverse("notifications:read", args=[theirs.pk])).status_code == 404
    client.post(reverse("notifications:read_all"))
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert "Theirs" not in client.get(reverse("notifications:list")).content.decode()


def test_notification_actions_need_post(client, rep):
    mine = notify(rep, kind=Notification.Kind.REMINDER, text="Mine")
    client.force_login(rep)
    assert client.get(reverse("notifications:read", args=[mine.pk])).status_code == 405
    assert client.get(reverse("notifications:read_all")).status_code == 405


def test_a_call_with_outcome_and_duration_is_logged_from_the_lead_page_and_shown(client, rep):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)
    fields = {"kind": "call", "subject": "Intro call", "call_outcome": "voicemail", "duration": "4:30"}
    response = client.post(reverse("leads:log_activity", args=[lead.pk]), fields)
    assert response.status_code == 302
    call = Activity.objects.get(lead=lead)
    assert (call.call_outcome, call.duration_seconds) == ("voicemail", 270)
    content = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Left voicemail" in content and "4:30" in content


@pytest.mark.parametrize("duration", ["4:75", "abc", "-3", "1:2:3"])
def test_a_bad_call_duration_is_refused_naming_the_field(client, rep, duration):
    account = AccountFactory(owner=rep)
    client.force_login(rep)
    fields = {"kind": "call", "subject": "Call", "call_outcome": "connected", "duration": duration}
    response = client.post(reverse("accounts:log_activity", args=[account.pk]), fields)
    assert response.status_code == 400
    assert "Enter minutes:seconds" in response.content.decode()
    assert not Activity.objects.filter(account=account).exists()


@pytest.mark.parametrize(
    ("remind", "expected"),
    [
        ("", None),
        ("due", timedelta(0)),
        ("15m", timedelta(minutes=15)),
        ("1h", timedelta(hours=1)),
        ("1d", timedelta(days=1)),
    ],
)
def test_a_task_reminder_is_chosen_on_the_task_form(client, rep, remind, expected):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)
    due = _at(3, 10)
    fields = {"kind": "task", "subject": "Follow up", "due_at": due.strftime("%Y-%m-%dT%H:%M"), "remind": remind}
    assert client.post(reverse("leads:log_activity", args=[lead.pk]), fields).status_code == 302
    task = Activity.objects.get(lead=lead)
    assert task.remind_at == (None if expected is None else due - expected)


def test_a_custom_reminder_needs_its_time(client, rep):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)
    due = _at(3, 10).strftime("%Y-%m-%dT%H:%M")
    fields = {"kind": "task", "subject": "Follow up", "due_at": due, "remind": "custom"}
    response = client.post(reverse("leads:log_activity", args=[lead.pk]), fields)
    assert response.status_code == 400 and "Choose when to be reminded." in response.content.decode()
    custom = _at(2, 9)
    fields["remind_at"] = custom.strftime("%Y-%m-%dT%H:%M")
    assert client.post(reverse("leads:log_activity", args=[lead.pk]), fields).status_code == 302
    assert Activity.objects.get(lead=lead).remind_at == custom
