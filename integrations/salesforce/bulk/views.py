"""Bulk API 2.0 under /services/data/vXX.X/jobs/: ingest and query jobs, their data and their results.

Every job read starts from the jobs the caller may see (their own; all for an admin): another user's job is
404 NOT_FOUND. Job info is JSON whatever the request's Accept says (clients ask for CSV when creating a query
job); results are CSV.
"""

from __future__ import annotations

from django.http import HttpResponse, StreamingHttpResponse
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.response import Response

from integrations.salesforce.bulk import querying, selectors, services
from integrations.salesforce.bulk.models import BulkJob
from integrations.salesforce.errors import SalesforceError
from integrations.salesforce.views.base import SalesforceView

RESULT_KINDS = {"successfulResults": "successful", "failedResults": "failed", "unprocessedrecords": "unprocessed"}
RESULT_KINDS["unprocessedRecords"] = "unprocessed"  # the spelling simple-salesforce uses
CSV_TYPE = "text/csv; charset=utf-8"


class JsonWhateverAccept(DefaultContentNegotiation):
    """Answer JSON even to `Accept: text/csv`, as Salesforce answers job requests."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


class JobsBaseView(SalesforceView):
    kind = BulkJob.Kind.INGEST
    content_negotiation_class = JsonWhateverAccept

    def get_job(self) -> BulkJob:
        return selectors.get_job(self.kwargs["job_id"], user=self.request.user, kind=self.kind)

    @property
    def base_url(self) -> str:
        return f"/services/data/v{self.version}/jobs/{self.kind}"


class JobListView(JobsBaseView):
    """POST creates a job; GET lists the caller's jobs of this kind (1,000 a page, `queryLocator` for more)."""

    def post(self, request, version):
        create = services.create_query_job if self.kind == BulkJob.Kind.QUERY else services.create_ingest_job
        job = create(request.data, by=request.user, api_version=version)
        return Response(selectors.job_info(job))

    def get(self, request, version):
        locator = request.query_params.get("queryLocator") or None
        after = None
        if locator is not None:
            if not locator.isdigit():
                raise SalesforceError("INVALID_QUERY_LOCATOR", "invalid query locator")
            after = int(locator)
        jobs, next_after = selectors.list_jobs(user=request.user, kind=self.kind, after=after)
        return Response(
            {
                "done": next_after is None,
                "records": [selectors.job_info(job) for job in jobs],
                "nextRecordsUrl": f"{self.base_url}?queryLocator={next_after}" if next_after else None,
            }
        )


class JobView(JobsBaseView):
    """GET job info; PATCH {state} closes or aborts; DELETE removes a job that no longer runs (204)."""

    def get(self, request, version, job_id):
        return Response(selectors.job_info(self.get_job()))

    def patch(self, request, version, job_id):
        job = self.get_job()
        data = request.data
        state = data.get("state") if isinstance(data, dict) else None
        job = services.change_job_state(job, state, by=request.user)
        return Response(selectors.job_info(job))

    def delete(self, request, version, job_id):
        services.delete_job(self.get_job(), by=request.user)
        return Response(status=204)


class BatchesView(JobsBaseView):
    """PUT the CSV of an open ingest job (text/csv): 201 with no body."""

    def put(self, request, version, job_id):
        job = self.get_job()
        media_type = (request.content_type or "").split(";")[0].strip().lower()
        if media_type != "text/csv":
            raise SalesforceError(
                "UNSUPPORTED_MEDIA_TYPE", f"Content type '{media_type}' is not supported; send text/csv.", status=415
            )
        length = request.META.get("CONTENT_LENGTH")
        declared = int(length) if length and length.isdigit() else None
        services.upload_job_data(job, request._request, by=request.user, declared_length=declared)
        return Response(status=201)


class IngestResultsView(JobsBaseView):
    """GET successfulResults/, failedResults/ or unprocessedrecords/ of an ingest job as CSV."""

    def get(self, request, version, job_id, results):
        job = self.get_job()
        lines = selectors.ingest_results(job, RESULT_KINDS[results])
        return StreamingHttpResponse(lines, content_type=CSV_TYPE)


class QueryResultsView(JobsBaseView):
    """GET results of a finished query job: CSV pages of `maxRecords`, the next page's `Sforce-Locator`."""

    kind = BulkJob.Kind.QUERY

    def get(self, request, version, job_id):
        job = self.get_job()
        page = querying.result_page(
            job, locator=request.query_params.get("locator"), max_records=request.query_params.get("maxRecords")
        )
        response = HttpResponse(page.text, content_type=CSV_TYPE)
        response["Sforce-Locator"] = page.next_locator or "null"
        response["Sforce-NumberOfRecords"] = str(page.count)
        return response
