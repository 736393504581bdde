"""Inline edits of a contact's phone and title."""

import json

import pytest
from django.urls import reverse

from contacts.models import Contact
from tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def inline(client, contact, field, value):
    body = json.dumps({"field": field, "value": value})
    return client.post(reverse("contacts:inline", args=[contact.pk]), body, content_type="application/json")


def test_phone_and_title_are_saved(client, rep):
    contact = ContactFactory(owner=rep)
    client.force_login(rep)

    assert inline(client, contact, "phone", "+44 20 7946 0000").status_code == 200
    assert inline(client, contact, "title", "CFO").json()["display"] == "CFO"

    contact.refresh_from_db()
    assert (contact.phone, contact.title) == ("+44 20 7946 0000", "CFO")


def test_a_too_long_phone_or_another_field_answers_400_naming_it(client, rep):
    contact = ContactFactory(owner=rep, phone="1")
    client.force_login(rep)

    assert list(inline(client, contact, "phone", "9" * 80).json()) == ["phone"]
    assert list(inline(client, contact, "email", "a@b.example").json()) == ["field"]
    assert Contact.objects.get(pk=contact.pk).phone == "1"


def test_another_rep_gets_404(client, rep, other_rep):
    contact = ContactFactory(owner=rep, title="CEO")
    client.force_login(other_rep)

    assert inline(client, contact, "title", "Intern").status_code == 404
    assert Contact.objects.get(pk=contact.pk).title == "CEO"
