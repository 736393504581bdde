"""An import's links to its leads go with the lead or the job they point at."""

import pytest

from imports.models import ImportedLead, ImportJob
from leads.services.capture import delete_lead
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_deleting_a_lead_or_its_job_removes_their_import_links(manager):
    job = ImportJob.objects.create(created_by=manager, original_name="leads.csv")
    kept, deleted = LeadFactory(owner=manager), LeadFactory(owner=manager)
    ImportedLead.objects.bulk_create(
        [ImportedLead(job=job, lead=kept, created=True), ImportedLead(job=job, lead=deleted, created=False)]
    )

    delete_lead(deleted, by=manager)

    assert list(ImportedLead.objects.values_list("lead_id", flat=True)) == [kept.pk]
    job.delete()
    assert not ImportedLead.objects.exists()
