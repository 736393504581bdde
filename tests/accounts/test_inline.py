"""Inline edit of an account's phone."""

import json

import pytest
from django.urls import reverse

from accounts.models import Account
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def inline(client, account, field, value):
    body = json.dumps({"field": field, "value": value})
    return client.post(reverse("accounts:inline", args=[account.pk]), body, content_type="application/json")


def test_the_phone_is_saved(client, rep):
    account = AccountFactory(owner=rep)
    client.force_login(rep)

    response = inline(client, account, "phone", "+1 555 0199")

    assert response.json() == {"field": "phone", "value": "+1 555 0199", "display": "+1 555 0199", "undo": None}
    assert Account.objects.get(pk=account.pk).phone == "+1 555 0199"


def test_a_too_long_phone_answers_400_naming_it(client, rep):
    account = AccountFactory(owner=rep, phone="1")
    client.force_login(rep)

    response = inline(client, account, "phone", "9" * 80)

    assert (response.status_code, list(response.json())) == (400, ["phone"])
    assert Account.objects.get(pk=account.pk).phone == "1"


def test_another_rep_gets_404(client, rep, other_rep):
    account = AccountFactory(owner=rep, phone="1")
    client.force_login(other_rep)

    assert inline(client, account, "phone", "2").status_code == 404
    assert Account.objects.get(pk=account.pk).phone == "1"


def test_the_account_page_marks_the_phone_editable(client, rep):
    account = AccountFactory(owner=rep)
    client.force_login(rep)

    content = client.get(reverse("accounts:detail", args=[account.pk])).content.decode()

    assert f'data-inline="{reverse("accounts:inline", args=[account.pk])}" data-field="phone"' in content
