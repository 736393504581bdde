"""The contact pages: edits go through the service."""

import pytest
from django.urls import reverse

from contacts.models import Contact

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
