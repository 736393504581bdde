"""Contacts in the admin: writes go through `contacts.services`; account relations are shown, not edited."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from activities.models import Event
from contacts.models import AccountContactRelation, Contact
from conversion.services import convert_lead
from tests.admin_forms import change_form_data
from tests.factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_a_contact_added_in_the_admin_is_the_primary_contact_of_its_account(client, admin):
    # given
    account = AccountFactory(owner=admin)
    client.force_login(admin)
    url = reverse("admin:contacts_contact_add")

    # when
    response = client.post(
        url,
        change_form_data(client, url, last_name="Hopper", email=" Grace@Navy.example ", account=account.pk),
    )

    # then
    assert response.status_code == 302
    contact = Contact.objects.get(last_name="Hopper")
    assert (contact.email, contact.owner) == ("grace@navy.example", admin)
    assert list(AccountContactRelation.objects.values_list("account", "contact", "is_primary")) == [
        (account.pk, contact.pk, True)
    ]


def test_moving_a_contact_to_another_account_in_the_admin_records_it_and_moves_the_primary_relation(client, admin, rep):
    # given
    contact = ContactFactory(owner=rep)
    first_account, second_account = contact.account, AccountFactory(owner=rep)
    AccountContactRelation.objects.create(account=first_account, contact=contact, is_primary=True)
    client.force_login(admin)
    url = reverse("admin:contacts_contact_change", args=[contact.pk])

    # when
    response = client.post(url, change_form_data(client, url, account=second_account.pk))

    # then
    assert response.status_code == 302
    event = Event.objects.get(contact=contact, kind="field_changed")
    assert (event.actor, event.data["field"], event.data["to"]) == (admin, "account", second_account.pk)
    assert set(AccountContactRelation.objects.values_list("account", "is_primary")) == {
        (first_account.pk, False),
        (second_account.pk, True),
    }


def test_the_account_relations_of_a_contact_are_read_only_in_the_admin(client, admin):
    # given
    contact = ContactFactory(owner=admin)
    relation = AccountContactRelation.objects.create(account=contact.account, contact=contact, role="Buyer")
    client.force_login(admin)
    url = reverse("admin:contacts_contact_change", args=[contact.pk])
    data = change_form_data(client, url)

    # when
    data.update({"account_relations-0-role": "Champion", "account_relations-0-DELETE": "on"})
    response = client.post(url, data)

    # then
    assert response.status_code == 302
    relation.refresh_from_db()
    assert relation.role == "Buyer"
    assert client.post(reverse("admin:contacts_accountcontactrelation_delete", args=[relation.pk])).status_code == 403
    assert client.get(reverse("admin:contacts_accountcontactrelation_add")).status_code == 403


def test_a_contact_a_converted_lead_refers_to_cannot_be_deleted_in_the_admin(client, admin):
    # given
    contact = convert_lead(LeadFactory(company="Acme"), by=admin).contact
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:contacts_contact_delete", args=[contact.pk]), {"post": "yes"})

    # then
    assert response.status_code == 200
    assert "Cannot delete contact" in response.content.decode()
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert not LogEntry.objects.exists()
