"""The notifications API and the call and reminder fields of the activities API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from activities.models import Activity, Notification
from activities.services import notify
from tests.factories import LeadFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


def test_a_user_lists_only_their_own_notifications(api, rep, other_rep):
    notify(rep, kind="reminder", text="Mine", url="/tasks/")
    notify(other_rep, kind="reminder", text="Theirs")
    response = api(rep).get("/api/v1/notifications/")
    assert response.status_code == 200
    assert [n["text"] for n in response.json()["results"]] == ["Mine"]
    assert set(response.json()["results"][0]) == {"id", "kind", "text", "url", "activity", "created_at", "read_at"}


def test_marking_a_notification_read_and_another_users_answers_404(api, rep, other_rep):
    mine = notify(rep, kind="reminder", text="Mine")
    theirs = notify(other_rep, kind="reminder", text="Theirs")
    response = api(rep).post(f"/api/v1/notifications/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    assert api(rep).post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert api(rep).get(f"/api/v1/notifications/{theirs.pk}/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert api(rep).get("/api/v1/notifications/", {"unread": "true"}).json()["results"] == []


def test_mark_all_read_and_anonymous_callers(api, rep):
    notify(rep, kind="reminder", text="A")
    notify(rep, kind="reminder", text="B")
    assert api(rep).post("/api/v1/notifications/read-all/").json() == {"marked": 2}
    assert api().get("/api/v1/notifications/").status_code == 401
    assert api().post("/api/v1/notifications/read-all/").status_code == 401


def test_the_notification_list_costs_the_same_queries_when_it_grows(api, rep, django_assert_max_num_queries):
    client = api(rep)
    notify(rep, kind="reminder", text="First")
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/notifications/")
    for n in range(20):
        notify(rep, kind="reminder", text=f"N{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/api/v1/notifications/")


def test_a_call_is_logged_with_outcome_and_duration_over_the_api(api, rep):
    lead = LeadFactory(owner=rep)
    body = {"kind": "call", "subject": "Call", "lead": lead.pk, "call_outcome": "connected", "duration_seconds": 125}
    response = api(rep).post("/api/v1/activities/", body, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["call_outcome"], response.json()["duration_seconds"]) == ("connected", 125)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "note", "call_outcome": "connected"}, "call_outcome"),
        ({"kind": "call", "call_outcome": "maybe"}, "call_outcome"),
        ({"kind": "call", "duration_seconds": -5}, "duration_seconds"),
        ({"kind": "note", "remind_at": "2030-01-01T10:00:00Z"}, "remind_at"),
    ],
)
def test_an_impossible_call_or_reminder_is_a_400_naming_the_field(api, rep, body, field):
    lead = LeadFactory(owner=rep)
    response = api(rep).post("/api/v1/activities/", {"subject": "X", "lead": lead.pk, **body}, format="json")
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not Activity.objects.exists()


def test_a_task_reminder_is_set_over_the_api_and_its_sent_time_is_read_only(api, rep):
    lead = LeadFactory(owner=rep)
    due = timezone.now() + timedelta(days=1)
    body = {"kind": "task", "subject": "T", "lead": lead.pk, "due_at": due.isoformat(),
            "remind_at": (due - timedelta(hours=1)).isoformat(), "reminder_sent_at": due.isoformat()}  # fmt: skip
    response = api(rep).post("/api/v1/activities/", body, format="json")
    assert response.status_code == 201
    task = Activity.objects.get()
    assert task.remind_at == due - timedelta(hours=1) and task.reminder_sent_at is None
