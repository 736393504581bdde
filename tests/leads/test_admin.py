"""Leads in the admin: writes go through `leads.services.capture`, status changes are recorded, converted is final."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from activities.models import Event
from conversion.services import convert_lead
from leads.models import Lead, LeadStatusChange
from tests.admin_forms import change_form_data
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_a_lead_added_in_the_admin_starts_its_status_history(client, admin):
    # given
    client.force_login(admin)
    url = reverse("admin:leads_lead_add")

    # when
    response = client.post(
        url, change_form_data(client, url, last_name="Lovelace", email=" Ada@Engine.example ", status="working")
    )

    # then
    assert response.status_code == 302
    lead = Lead.objects.get(last_name="Lovelace")
    assert (lead.email, lead.status) == ("ada@engine.example", "working")
    assert list(LeadStatusChange.objects.values_list("lead", "from_status", "to_status", "changed_by")) == [
        (lead.pk, "", "working", admin.pk)
    ]


def test_changing_a_leads_status_in_the_admin_records_the_status_change(client, admin, rep):
    # given
    lead = LeadFactory(owner=rep)
    client.force_login(admin)
    url = reverse("admin:leads_lead_change", args=[lead.pk])

    # when
    response = client.post(url, change_form_data(client, url, status="unqualified", unqualified_reason="No budget"))

    # then
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.unqualified_reason) == ("unqualified", "No budget")
    change = LeadStatusChange.objects.get(lead=lead)
    assert (change.from_status, change.to_status, change.changed_by, change.reason) == (
        "new",
        "unqualified",
        admin,
        "No budget",
    )


def test_changing_a_leads_owner_in_the_admin_records_it_on_the_timeline(client, admin, rep, other_rep):
    # given
    lead = LeadFactory(owner=rep)
    client.force_login(admin)
    url = reverse("admin:leads_lead_change", args=[lead.pk])

    # when
    client.post(url, change_form_data(client, url, owner=other_rep.pk))

    # then
    lead.refresh_from_db()
    assert lead.owner == other_rep
    event = Event.objects.get(lead=lead, kind="field_changed")
    assert (event.actor, event.data) == (admin, {"field": "owner", "from": rep.pk, "to": other_rep.pk})


def test_choosing_converted_in_the_admin_is_a_form_error_on_the_status(client, admin):
    # given
    lead = LeadFactory(company="Acme", title="CTO")
    client.force_login(admin)
    url = reverse("admin:leads_lead_change", args=[lead.pk])

    # when
    response = client.post(url, change_form_data(client, url, status="converted", title="CEO"))

    # then
    assert response.status_code == 200
    assert list(response.context["adminform"].form.errors) == ["status"]
    lead.refresh_from_db()
    assert (lead.status, lead.title) == ("new", "CTO")
    assert not LeadStatusChange.objects.filter(lead=lead).exists()


def test_a_converted_lead_cannot_be_changed_or_deleted_in_the_admin(client, admin):
    # given
    lead = convert_lead(LeadFactory(company="Acme", title="CTO"), by=admin).lead
    client.force_login(admin)
    url = reverse("admin:leads_lead_change", args=[lead.pk])
    page = client.get(url)

    # when
    changed = client.post(url, {"last_name": "Changed", "title": "CEO", "status": "new"})
    deleted = client.post(reverse("admin:leads_lead_delete", args=[lead.pk]), {"post": "yes"})

    # then
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert (changed.status_code, deleted.status_code) == (403, 403)
    lead.refresh_from_db()
    assert (lead.status, lead.title) == ("converted", "CTO")


def test_a_bulk_delete_that_includes_a_converted_lead_deletes_nothing(client, admin):
    # given
    open_lead = LeadFactory()
    converted = convert_lead(LeadFactory(company="Acme"), by=admin).lead
    client.force_login(admin)

    # when
    response = client.post(
        reverse("admin:leads_lead_changelist"),
        {"action": "delete_selected", "_selected_action": [open_lead.pk, converted.pk], "post": "yes"},
        follow=True,
    )

    # then
    assert "Nothing was deleted." in response.content.decode()
    assert "This lead is converted and read-only." in response.content.decode()
    assert Lead.objects.filter(pk__in=[open_lead.pk, converted.pk]).count() == 2
    assert not LogEntry.objects.exists()


def test_an_open_lead_is_deleted_in_the_admin_with_its_status_history(client, admin):
    # given
    lead = LeadFactory()
    LeadStatusChange.objects.create(lead=lead, to_status="new", changed_by=admin, changed_at=lead.created_at)
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:leads_lead_delete", args=[lead.pk]), {"post": "yes"})

    # then
    assert response.status_code == 302
    assert not Lead.objects.filter(pk=lead.pk).exists()
    assert not LeadStatusChange.objects.exists()
