"""Web forms in the admin: written through `leads.services.web_forms`; a new form gets a fresh key."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from leads.models import WebForm
from leads.services.web_forms import create_web_form
from tests.admin_forms import change_form_data

pytestmark = pytest.mark.django_db


def test_the_add_form_offers_a_fresh_key_and_the_form_is_created_with_it(client, admin, rep):
    # given
    client.force_login(admin)
    url = reverse("admin:leads_webform_add")
    data = change_form_data(client, url, name="Contact us", default_owner=rep.pk)
    other_key = change_form_data(client, url)["form_key"]

    # when
    response = client.post(url, data)

    # then
    assert response.status_code == 302
    form = WebForm.objects.get(name="Contact us")
    assert (form.form_key, form.default_owner, form.is_active) == (data["form_key"], rep, True)
    assert len(form.form_key) == 32 and form.form_key != other_key


def test_the_service_makes_a_key_when_none_is_given(admin):
    # when
    form = create_web_form(by=admin, name="Newsletter")

    # then
    assert len(form.form_key) == 32


def test_a_taken_key_is_a_form_error_and_nothing_is_saved(client, admin):
    # given
    taken = create_web_form(by=admin, name="First")
    client.force_login(admin)
    url = reverse("admin:leads_webform_add")

    # when
    response = client.post(url, change_form_data(client, url, name="Second", form_key=taken.form_key))

    # then
    assert response.status_code == 200
    assert "form_key" in response.context["adminform"].form.errors
    assert list(WebForm.objects.values_list("name", flat=True)) == ["First"]


def test_a_web_form_is_changed_through_the_service(client, admin):
    # given
    form = create_web_form(by=admin, name="Demo request")
    client.force_login(admin)
    url = reverse("admin:leads_webform_change", args=[form.pk])

    # when
    response = client.post(url, change_form_data(client, url, is_active=None, default_source="webinar"))

    # then
    assert response.status_code == 302
    form.refresh_from_db()
    assert (form.is_active, form.default_source) == (False, "webinar")


def test_a_rep_with_admin_permissions_is_refused_by_the_service_without_a_500(client, rep, admin):
    # given a staff rep allowed by Django to edit web forms, but not by the service
    form = create_web_form(by=admin, name="Pricing")
    rep.is_staff = True
    rep.save(update_fields=["is_staff"])
    rep.user_permissions.add(*Permission.objects.filter(codename__in=["view_webform", "change_webform"]))
    client.force_login(rep)
    url = reverse("admin:leads_webform_change", args=[form.pk])

    # when
    response = client.post(url, change_form_data(client, url, name="Mine"))

    # then
    assert response.status_code == 200
    assert "Only managers and admins configure web forms." in str(response.context["adminform"].form.errors)
    form.refresh_from_db()
    assert form.name == "Pricing"


def test_a_web_form_is_deleted_through_the_service(client, admin):
    # given
    form = create_web_form(by=admin, name="Old form")
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:leads_webform_delete", args=[form.pk]), {"post": "yes"})

    # then
    assert response.status_code == 302
    assert not WebForm.objects.filter(pk=form.pk).exists()


def test_a_delete_the_service_refuses_is_a_message_and_the_form_stays(client, admin, rep):
    # given a staff rep allowed by Django to delete web forms, but not by the service
    form = create_web_form(by=admin, name="Keep")
    rep.is_staff = True
    rep.save(update_fields=["is_staff"])
    rep.user_permissions.add(*Permission.objects.filter(codename__in=["view_webform", "delete_webform"]))
    client.force_login(rep)

    # when
    response = client.post(reverse("admin:leads_webform_delete", args=[form.pk]), {"post": "yes"}, follow=True)

    # then
    assert response.status_code == 200
    assert "Web form “Keep” was not deleted: Only managers and admins configure web forms." in (
        response.content.decode()
    )
    assert WebForm.objects.filter(pk=form.pk).exists()
    assert not LogEntry.objects.exists()
