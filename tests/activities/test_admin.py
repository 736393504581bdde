"""The timeline in the admin: activities go through `activities.services`; system events are read-only."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from activities.admin import ActivityAdmin
from activities.models import Activity, Event
from activities.services import log_activity, record_event
from core.admin import AdminServices
from core.exceptions import Conflict
from tests.admin_forms import change_form_data
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_an_activity_logged_in_the_admin_is_owned_by_whoever_logs_it_and_touches_the_lead(client, admin, rep):
    # given
    lead = LeadFactory(owner=rep)
    client.force_login(admin)
    url = reverse("admin:activities_activity_add")

    # when
    response = client.post(url, change_form_data(client, url, kind="call", subject="Intro call", lead=lead.pk))

    # then
    assert response.status_code == 302
    activity = Activity.objects.get(subject="Intro call")
    assert (activity.kind, activity.lead, activity.owner) == ("call", lead, admin)
    lead.refresh_from_db()
    assert lead.last_activity_at == activity.created_at


def test_an_activity_on_no_record_is_a_form_error_and_nothing_is_saved(client, admin):
    # given
    client.force_login(admin)
    url = reverse("admin:activities_activity_add")

    # when
    response = client.post(url, change_form_data(client, url, kind="note", subject="Orphan"))

    # then
    assert response.status_code == 200
    assert "An activity belongs to a lead, contact, account or opportunity." in str(
        response.context["adminform"].form.errors
    )
    assert not Activity.objects.exists()


def test_an_activity_is_changed_through_the_service_and_keeps_its_owner(client, admin, rep):
    # given
    activity = log_activity(by=rep, kind="task", subject="Send deck", lead=LeadFactory(owner=rep))
    client.force_login(admin)
    url = reverse("admin:activities_activity_change", args=[activity.pk])

    # when
    response = client.post(url, change_form_data(client, url, subject="Send the deck", owner=admin.pk))

    # then
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.subject, activity.owner) == ("Send the deck", rep)


def test_a_delete_the_service_refuses_is_a_message_and_the_activity_stays(client, admin, rep, monkeypatch):
    # given
    activity = log_activity(by=rep, kind="note", subject="Keep me", lead=LeadFactory(owner=rep))

    def refuse(activity, *, by):
        raise Conflict("This activity is on hold.")

    monkeypatch.setattr(ActivityAdmin, "services", AdminServices(create=None, update=None, delete=refuse))
    client.force_login(admin)

    # when
    response = client.post(
        reverse("admin:activities_activity_delete", args=[activity.pk]), {"post": "yes"}, follow=True
    )

    # then
    assert response.status_code == 200
    assert "was not deleted: This activity is on hold." in response.content.decode()
    assert Activity.objects.filter(pk=activity.pk).exists()
    assert not LogEntry.objects.exists()


def test_an_activity_is_deleted_through_the_admin(client, admin, rep):
    # given
    activity = log_activity(by=rep, kind="note", subject="Drop me", lead=LeadFactory(owner=rep))
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:activities_activity_delete", args=[activity.pk]), {"post": "yes"})

    # then
    assert response.status_code == 302
    assert not Activity.objects.filter(pk=activity.pk).exists()


def test_timeline_events_are_shown_and_never_added_changed_or_deleted(client, admin, rep):
    # given
    event = record_event("note", "Something happened", lead=LeadFactory(owner=rep))
    client.force_login(admin)
    change_url = reverse("admin:activities_event_change", args=[event.pk])

    # when
    page = client.get(change_url)
    add = client.get(reverse("admin:activities_event_add"))
    edit = client.post(change_url, {"summary": "Rewritten"})
    delete = client.post(reverse("admin:activities_event_delete", args=[event.pk]), {"post": "yes"})

    # then
    assert page.status_code == 200
    assert (add.status_code, edit.status_code, delete.status_code) == (403, 403, 403)
    event.refresh_from_db()
    assert event.summary == "Something happened"
    assert Event.objects.filter(pk=event.pk).exists()
