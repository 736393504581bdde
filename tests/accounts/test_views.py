"""The account pages: what they show, the new and edit forms, the JSON the forms ask, and what they cost."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Account
from accounts.services import create_account

pytestmark = pytest.mark.django_db


def test_the_account_page_lists_contacts_deals_and_timeline(client, rep, deal_world, django_assert_max_num_queries):
    account, contacts, deals = deal_world
    client.force_login(rep)
    # session, user, account, contacts, deals, 2 timeline sources, attachments, unread notifications (the header's
    # bell), session save (3 statements)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:detail", args=[account.pk]))
    content = response.content.decode()
    assert all(f'href="/contacts/{c.pk}/"' in content for c in contacts)
    assert all(f'href="/opportunities/{d.pk}/"' in content for d in deals)
    assert "Deal note" in content


# --- new and edit ---------------------------------------------------------------------------------------------


def test_a_rep_creates_an_account_and_lands_on_its_page(client, rep):
    client.force_login(rep)
    assert 'href="/accounts/new/"' in client.get(reverse("accounts:list")).content.decode()
    response = client.post(
        reverse("accounts:create"), {"name": "Initech LLC", "website": "https://www.initech.example/about"}
    )
    account = Account.objects.get(name="Initech LLC")
    assert response["Location"] == reverse("accounts:detail", args=[account.pk])
    assert (account.owner, account.domain, account.normalized_name) == (rep, "initech.example", "initech")


def test_a_missing_name_shows_the_error_next_to_the_field_and_writes_nothing(client, rep):
    client.force_login(rep)
    response = client.post(reverse("accounts:create"), {"name": "", "employees": "-3"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "employees"}
    assert 'id="id_name_error"' in response.content.decode()
    assert not Account.objects.exists()


def test_a_rep_edits_their_account_and_a_second_rep_gets_404(client, rep, other_rep):
    account = create_account(by=rep, name="Globex", website="globex.example")
    client.force_login(rep)
    page = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()
    assert f'href="/accounts/{account.pk}/edit/"' in page
    assert f'href="/contacts/new/?account={account.pk}"' in page
    response = client.post(reverse("accounts:edit", args=[account.pk]), {"name": "Globex Corp", "industry": "Energy"})
    assert response["Location"] == reverse("accounts:detail", args=[account.pk])
    account.refresh_from_db()
    assert (account.name, account.industry, account.normalized_name) == ("Globex Corp", "Energy", "globex")
    client.force_login(other_rep)
    assert client.get(reverse("accounts:edit", args=[account.pk])).status_code == 404
    assert client.post(reverse("accounts:edit", args=[account.pk]), {"name": "Mine"}).status_code == 404
    assert Account.objects.get(pk=account.pk).name == "Globex Corp"


def test_the_parent_is_picked_among_visible_accounts_and_never_the_account_itself(client, rep, other_rep):
    account = create_account(by=rep, name="Child")
    theirs = create_account(by=other_rep, name="Hidden parent")
    client.force_login(rep)
    response = client.post(reverse("accounts:edit", args=[account.pk]), {"name": "Child", "parent": theirs.pk})
    assert response.context["form"].errors["parent"] == ["Pick a parent account from the list."]
    assert "Hidden parent" not in response.content.decode()
    response = client.post(reverse("accounts:edit", args=[account.pk]), {"name": "Child", "parent": account.pk})
    assert "parent" in response.context["form"].errors
    assert Account.objects.get(pk=account.pk).parent is None


def test_a_rep_has_no_owner_choice_and_a_manager_sets_the_owner(client, rep, manager):
    client.force_login(rep)
    assert "owner" not in client.get(reverse("accounts:create")).context["form"].fields
    client.post(reverse("accounts:create"), {"name": "Mine", "owner": manager.pk})
    assert Account.objects.get(name="Mine").owner == rep
    client.force_login(manager)
    form = client.get(reverse("accounts:create")).context["form"]
    assert set(form.fields["owner"].queryset) == {rep, manager}
    client.post(reverse("accounts:create"), {"name": "For the rep", "owner": rep.pk})
    account = Account.objects.get(name="For the rep")
    assert account.owner == rep
    client.post(reverse("accounts:edit", args=[account.pk]), {"name": "For the rep", "owner": manager.pk})
    assert Account.objects.get(pk=account.pk).owner == manager


def test_the_form_pages_cost_a_fixed_number_of_queries(client, rep, django_assert_max_num_queries):
    parent = create_account(by=rep, name="Parent")
    account = create_account(by=rep, name="Child", parent=parent)
    for n in range(5):
        create_account(by=rep, name=f"Other {n}")
    client.force_login(rep)
    with CaptureQueriesContext(connection) as page_chrome:  # session, user, the page's frame, session save
        assert client.get(reverse("accounts:create")).status_code == 200
    # the edit page adds the account and its parent's name
    with django_assert_max_num_queries(len(page_chrome) + 2):
        assert client.get(reverse("accounts:edit", args=[account.pk])).status_code == 200


# --- what the forms ask while the user types --------------------------------------------------------------------


def test_duplicates_match_the_normalised_name_or_domain_of_visible_accounts_only(client, rep, other_rep):
    mine = create_account(by=rep, name="Acme, Inc.", website="https://acme.example")
    create_account(by=other_rep, name="Acme", website="acme-other.example")
    client.force_login(rep)
    by_name = client.get(reverse("accounts:duplicates"), {"name": "ACME"}).json()["results"]
    by_domain = client.get(reverse("accounts:duplicates"), {"domain": "www.acme.example/contact"}).json()["results"]
    assert [r["id"] for r in by_name] == [r["id"] for r in by_domain] == [mine.pk]
    assert by_name[0]["url"] == f"/accounts/{mine.pk}/"
    assert client.get(reverse("accounts:duplicates"), {"name": "Acme", "exclude": mine.pk}).json()["results"] == []
    client.force_login(other_rep)
    other = client.get(reverse("accounts:duplicates"), {"domain": "acme.example"}).json()["results"]
    assert other == []


def test_the_account_picker_matches_a_part_of_the_name_among_visible_accounts(client, rep, other_rep):
    for n in range(12):
        create_account(by=rep, name=f"Northwind {n:02}")
    create_account(by=other_rep, name="Northwind hidden")
    client.force_login(rep)
    results = client.get(reverse("accounts:autocomplete"), {"q": "WIND"}).json()["results"]
    assert len(results) == 10
    assert all(r["label"].startswith("Northwind 0") or r["label"].startswith("Northwind 1") for r in results)
    client.force_login(other_rep)
    assert [r["label"] for r in client.get(reverse("accounts:autocomplete"), {"q": "wind"}).json()["results"]] == [
        "Northwind hidden"
    ]


def test_a_bad_parameter_is_a_400_naming_it(client, rep):
    client.force_login(rep)
    response = client.get(reverse("accounts:duplicates"), {"name": "x\x00y", "exclude": "abc"})
    assert response.status_code == 400
    assert response.json()["field"] == "exclude"
    assert client.get(reverse("accounts:autocomplete"), {"q": "\x00"}).status_code == 200


def test_an_empty_post_says_what_is_missing(client, rep):
    client.force_login(rep)
    response = client.post(reverse("accounts:create"))
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
