"""Accounts in the admin: every write goes through `accounts.services`, as in the API."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.admin import AccountAdmin
from accounts.models import Account
from activities.models import Event
from conversion.services import convert_lead
from tests.admin_forms import change_form_data
from tests.factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_an_account_added_in_the_admin_is_normalised_and_reused_by_conversions_of_the_same_company(client, admin):
    # given
    client.force_login(admin)

    # when
    response = client.post(
        reverse("admin:accounts_account_add"), {"name": "Acme, Inc.", "website": "https://www.Acme.example/about"}
    )

    # then
    assert response.status_code == 302
    account = Account.objects.get(name="Acme, Inc.")
    assert (account.normalized_name, account.domain, account.owner) == ("acme", "acme.example", admin)
    by_name = convert_lead(LeadFactory(company="ACME Inc"), by=admin)
    by_website = convert_lead(LeadFactory(company="Acme Europe GmbH", website="acme.example"), by=admin)
    assert (by_name.account, by_name.account_created) == (account, False)
    assert (by_website.account, by_website.account_created) == (account, False)


def test_changing_an_accounts_owner_in_the_admin_records_it_on_the_timeline(client, admin, rep, other_rep):
    # given
    account = AccountFactory(owner=rep, name="Globex", website="https://globex.example")
    client.force_login(admin)
    url = reverse("admin:accounts_account_change", args=[account.pk])

    # when
    response = client.post(url, change_form_data(client, url, owner=other_rep.pk))

    # then
    assert response.status_code == 302
    account.refresh_from_db()
    assert account.owner == other_rep
    event = Event.objects.get(account=account, kind="field_changed")
    assert (event.actor, event.data) == (admin, {"field": "owner", "from": rep.pk, "to": other_rep.pk})


def test_an_owner_change_the_service_refuses_is_a_form_error_and_nothing_is_saved(client, rep, other_rep):
    # given a staff rep allowed to edit accounts in the admin, but not to hand them to someone else
    rep.is_staff = True
    rep.save(update_fields=["is_staff"])
    rep.user_permissions.add(*Permission.objects.filter(codename__in=["view_account", "change_account"]))
    account = AccountFactory(owner=rep, name="Initech")
    client.force_login(rep)
    url = reverse("admin:accounts_account_change", args=[account.pk])

    # when
    response = client.post(url, change_form_data(client, url, name="Initech Corp", owner=other_rep.pk))

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"owner": ["Only managers and admins may set the owner."]}
    account.refresh_from_db()
    assert (account.name, account.owner) == ("Initech", rep)
    assert not Event.objects.filter(account=account).exists()


def test_an_account_with_contacts_cannot_be_deleted_in_the_admin(client, admin):
    # given
    account = ContactFactory(owner=admin).account
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:accounts_account_delete", args=[account.pk]), {"post": "yes"})

    # then
    assert response.status_code == 200
    assert "Cannot delete account" in response.content.decode()
    assert Account.objects.filter(pk=account.pk).exists()


def test_a_delete_the_service_refuses_becomes_a_message_and_leaves_no_trace(client, admin, monkeypatch):
    # given the confirmation page was built before a contact joined the account
    account = AccountFactory(name="Umbrella")
    monkeypatch.setattr(AccountAdmin, "get_deleted_objects", lambda self, objs, request: ([], {}, set(), []))
    ContactFactory(account=account)
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:accounts_account_delete", args=[account.pk]), {"post": "yes"}, follow=True)

    # then
    assert response.status_code == 200
    assert "Account “Umbrella” was not deleted: This account still has contacts" in response.content.decode()
    assert Account.objects.filter(pk=account.pk).exists()
    assert not LogEntry.objects.exists()


def test_the_bulk_delete_is_all_or_nothing(client, admin, monkeypatch):
    # given
    free, taken = AccountFactory(name="Free"), AccountFactory(name="Taken")
    monkeypatch.setattr(AccountAdmin, "get_deleted_objects", lambda self, objs, request: ([], {}, set(), []))
    ContactFactory(account=taken)
    client.force_login(admin)

    # when
    response = client.post(
        reverse("admin:accounts_account_changelist"),
        {"action": "delete_selected", "_selected_action": [free.pk, taken.pk], "post": "yes"},
        follow=True,
    )

    # then
    assert "Nothing was deleted. Account “Taken” was not deleted" in response.content.decode()
    assert Account.objects.filter(pk__in=[free.pk, taken.pk]).count() == 2
    assert not LogEntry.objects.exists()


def test_an_account_without_contacts_is_deleted_through_the_admin(client, admin):
    # given
    account = AccountFactory()
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:accounts_account_delete", args=[account.pk]), {"post": "yes"})

    # then
    assert response.status_code == 302
    assert not Account.objects.filter(pk=account.pk).exists()
