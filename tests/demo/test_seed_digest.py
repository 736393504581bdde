"""Seeding the demo sends each demo manager their first weekly digest, as `make run` shows in var/mail/."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from users.models import User

pytestmark = pytest.mark.django_db


def test_each_demo_manager_gets_this_weeks_digest_and_reps_get_none():
    out = StringIO()
    call_command("seed_demo", "--leads", "200", stdout=out)

    managers = set(User.objects.filter(role="manager", is_active=True).values_list("email", flat=True))
    digests = [message for message in mail.outbox if message.subject.startswith("Your week in Funnel CRM")]
    assert managers and {address for message in digests for address in message.to} == managers
    assert len(digests) == len(managers)
    assert "Sent the weekly digest" in out.getvalue()
    html = digests[0].alternatives[0][0]
    assert "Funnel" in html and "unsubscribe" in html.lower()
