"""Sessions end after the idle timeout, and every request pushes the timeout back."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _signed_in(client):
    response = client.post(reverse("login"), {"username": "rep1", "password": "correct horse battery"})
    assert response.status_code == 302
    return Session.objects.get(session_key=client.session.session_key)


def test_each_request_pushes_the_idle_timeout_back(client, rep):
    session = _signed_in(client)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() + timedelta(minutes=5))

    assert client.get(reverse("leads:list")).status_code == 200

    expires = Session.objects.get(pk=session.pk).expire_date
    assert expires > timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE) - timedelta(minutes=1)


def test_a_session_idle_past_the_timeout_must_sign_in_again(client, rep):
    session = _signed_in(client)
    Session.objects.filter(pk=session.pk).update(expire_date=timezone.now() - timedelta(seconds=1))

    response = client.get(reverse("leads:list"))

    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
