"""The rep's task list."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.services import log_activity
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_my_tasks_lists_due_and_overdue_and_completes_with_one_click(client, rep, other_rep):
    lead = LeadFactory(owner=rep)
    now = timezone.now()
    overdue = log_activity(by=rep, kind="task", subject="Overdue call", due_at=now - timedelta(days=2), lead=lead)
    log_activity(by=rep, kind="task", subject="Next week", due_at=now + timedelta(days=7), lead=lead)
    other = log_activity(by=other_rep, kind="task", subject="Not mine", due_at=now, lead=LeadFactory(owner=other_rep))
    client.force_login(rep)
    content = client.get(reverse("activities:tasks")).content.decode()
    assert "Overdue call" in content and "Next week" not in content and "Not mine" not in content
    client.post(reverse("activities:complete", args=[overdue.pk]))
    overdue.refresh_from_db()
    assert overdue.completed_at is not None
    assert client.post(reverse("activities:complete", args=[other.pk])).status_code == 404
