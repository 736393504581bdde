"""Bulk API 2.0 routes, mounted at /services/data/v<version>/jobs/ (a trailing slash is optional, as clients vary)."""

from django.urls import re_path

from integrations.salesforce.bulk import views
from integrations.salesforce.bulk.models import BulkJob

INGEST = {"kind": BulkJob.Kind.INGEST}
QUERY = {"kind": BulkJob.Kind.QUERY}
JOB = r"(?P<job_id>[0-9A-Za-z]{1,18})"

urlpatterns = [
    re_path(r"^ingest/?$", views.JobListView.as_view(**INGEST), name="bulk-ingest-jobs"),
    re_path(rf"^ingest/{JOB}/?$", views.JobView.as_view(**INGEST), name="bulk-ingest-job"),
    re_path(rf"^ingest/{JOB}/batches/?$", views.BatchesView.as_view(**INGEST), name="bulk-ingest-batches"),
    re_path(
        rf"^ingest/{JOB}/(?P<results>successfulResults|failedResults|unprocessedrecords|unprocessedRecords)/?$",
        views.IngestResultsView.as_view(**INGEST),
        name="bulk-ingest-results",
    ),
    re_path(r"^query/?$", views.JobListView.as_view(**QUERY), name="bulk-query-jobs"),
    re_path(rf"^query/{JOB}/?$", views.JobView.as_view(**QUERY), name="bulk-query-job"),
    re_path(rf"^query/{JOB}/results/?$", views.QueryResultsView.as_view(**QUERY), name="bulk-query-results"),
]
