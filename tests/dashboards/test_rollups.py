"""`manage.py rebuild_rollups` recounts the reports' rollups from the records."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from activities.models import WorkedLeadDay, WorkedLeadWeek
from leads.models import LeadStatusChange
from tests.factories import ActivityFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_the_command_counts_work_written_around_the_services(rep, other_rep):
    lead = LeadFactory(owner=rep)
    ActivityFactory(owner=rep, lead=lead, kind="call")  # straight into the table: the rollup does not know yet
    ActivityFactory(owner=rep, lead=lead, kind="email")
    LeadStatusChange.objects.create(lead=lead, from_status="new", to_status="working", changed_by=other_rep,
                                    changed_at=timezone.now())  # fmt: skip
    LeadStatusChange.objects.create(lead=lead, to_status="new", changed_by=other_rep, changed_at=timezone.now())
    assert not WorkedLeadDay.objects.exists()

    out = io.StringIO()
    call_command("rebuild_rollups", stdout=out)

    today = timezone.localdate()
    assert set(WorkedLeadDay.objects.values_list("rep_id", "day", "lead_id", "activities", "status_changes")) == {
        (rep.pk, today, lead.pk, 2, 0),
        (other_rep.pk, today, lead.pk, 0, 1),  # its change to working; the status it was created with is not work
    }
    assert WorkedLeadWeek.objects.count() == 2
    assert "leads worked (rep, day, lead): 2 rows" in out.getvalue()
