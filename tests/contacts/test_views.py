"""The contact pages: new and edit forms through the services, and the JSON the forms ask while the user types."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.services import create_account
from contacts.models import Contact
from contacts.services import create_contact

pytestmark = pytest.mark.django_db


def test_editing_a_contact_saves_through_the_service(client, rep, deal_world):
    _, contacts, _ = deal_world
    client.force_login(rep)
    contact = contacts[0]
    response = client.post(reverse("contacts:edit", args=[contact.pk]), {"last_name": "", "email": "bad"})
    assert set(response.context["form"].errors) >= {"last_name", "email"}
    client.post(reverse("contacts:edit", args=[contact.pk]), {"last_name": "Renamed", "email": "New@X.example"})
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.last_name, contact.email) == ("Renamed", "new@x.example")


def test_a_contact_created_on_an_account_starts_with_it_chosen_and_lands_on_its_page(client, rep):
    account = create_account(by=rep, name="Globex")
    client.force_login(rep)
    assert 'href="/contacts/new/"' in client.get(reverse("contacts:list")).content.decode()
    page = client.get(reverse("contacts:create"), {"account": account.pk})
    assert page.context["form"]["account"].value() == account.pk
    assert 'data-label="Globex"' in page.content.decode()
    assert page.context["cancel_url"] == reverse("accounts:detail", args=[account.pk])
    response = client.post(
        f"{reverse('contacts:create')}?account={account.pk}",
        {"first_name": "Hank", "last_name": "Scorpio", "email": " Hank@Globex.Example ", "account": account.pk},
    )
    contact = Contact.objects.get(last_name="Scorpio")
    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])
    assert (contact.owner, contact.account, contact.email) == (rep, account, "hank@globex.example")
    assert contact.account_relations.get().is_primary


def test_field_errors_show_with_status_200_and_write_nothing(client, rep, other_rep):
    theirs = create_account(by=other_rep, name="Theirs")
    client.force_login(rep)
    response = client.post(reverse("contacts:create"), {"last_name": "", "email": "bad", "account": theirs.pk})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"last_name", "email", "account"}
    assert "Pick an account from the list." in response.content.decode()
    assert "Theirs" not in response.content.decode()
    assert not Contact.objects.exists()


def test_a_second_rep_gets_404_on_the_edit_page(client, rep, other_rep):
    contact = create_contact(by=rep, last_name="Mine")
    client.force_login(other_rep)
    assert client.get(reverse("contacts:edit", args=[contact.pk])).status_code == 404
    assert client.post(reverse("contacts:edit", args=[contact.pk]), {"last_name": "Taken"}).status_code == 404
    assert Contact.objects.get(pk=contact.pk).last_name == "Mine"


def test_a_manager_sets_the_owner_and_moves_the_contact_to_another_account(client, rep, manager):
    first, second = create_account(by=rep, name="First"), create_account(by=rep, name="Second")
    contact = create_contact(by=rep, last_name="Mover", account=first)
    client.force_login(manager)
    client.post(
        reverse("contacts:edit", args=[contact.pk]), {"last_name": "Mover", "account": second.pk, "owner": manager.pk}
    )
    contact = Contact.objects.get(pk=contact.pk)
    assert (contact.account, contact.owner) == (second, manager)
    assert contact.account_relations.get(is_primary=True).account == second


def test_duplicates_find_visible_contacts_by_email_only(client, rep, other_rep):
    mine = create_contact(by=rep, last_name="Lovelace", email="ada@engines.example")
    create_contact(by=other_rep, last_name="Other", email="grace@navy.example")
    client.force_login(rep)
    found = client.get(reverse("contacts:duplicates"), {"email": " ADA@engines.example"}).json()["results"]
    assert [(r["id"], r["url"]) for r in found] == [(mine.pk, f"/contacts/{mine.pk}/")]
    assert client.get(reverse("contacts:duplicates"), {"email": "grace@navy.example"}).json()["results"] == []
    excluded = client.get(reverse("contacts:duplicates"), {"email": "ada@engines.example", "exclude": mine.pk})
    assert excluded.json()["results"] == []


def test_the_contact_picker_matches_names_of_visible_contacts_of_the_account(client, rep, other_rep):
    account, other = create_account(by=rep, name="Globex"), create_account(by=rep, name="Initech")
    hank = create_contact(by=rep, first_name="Hank", last_name="Scorpio", account=account)
    create_contact(by=rep, first_name="Hank", last_name="Hill", account=other)
    create_contact(by=other_rep, first_name="Hank", last_name="Hidden")
    client.force_login(rep)
    url = reverse("contacts:autocomplete")
    assert [r["label"] for r in client.get(url, {"q": "hank"}).json()["results"]] == ["Hank Hill", "Hank Scorpio"]
    assert [r["id"] for r in client.get(url, {"q": "k sco", "account": account.pk}).json()["results"]] == [hank.pk]
    assert [r["id"] for r in client.get(url, {"account": account.pk}).json()["results"]] == [hank.pk]
    assert client.get(url, {"account": "x"}).status_code == 400
    client.force_login(other_rep)
    assert [r["label"] for r in client.get(url, {"q": "hank"}).json()["results"]] == ["Hank Hidden"]


@pytest.mark.parametrize("account", ["9" * 30, "1\x00", "-1", "abc"])
def test_a_hostile_account_id_is_a_field_error_not_a_500(client, rep, account):
    client.force_login(rep)
    response = client.post(reverse("contacts:create"), {"last_name": "X", "account": account})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"account"}
    assert not Contact.objects.exists()


def test_the_contact_form_pages_cost_a_fixed_number_of_queries(client, rep, django_assert_max_num_queries):
    contact = create_contact(by=rep, last_name="Counted", account=create_account(by=rep, name="Globex"))
    client.force_login(rep)
    with CaptureQueriesContext(connection) as page_chrome:  # session, user, the page's frame, session save
        assert client.get(reverse("contacts:create")).status_code == 200
    # the edit page adds the contact and its account's name
    with django_assert_max_num_queries(len(page_chrome) + 2):
        assert client.get(reverse("contacts:edit", args=[contact.pk])).status_code == 200
