"""Versions, resources and describes."""

from __future__ import annotations

from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from integrations.salesforce.describe import describe_global_entry, describe_sobject
from integrations.salesforce.objects import SOBJECTS, SUPPORTED_VERSIONS
from integrations.salesforce.views.base import SalesforceView

# The most recent records listed by an object's basic information.
RECENT_ITEMS = 10
MAX_BATCH_SIZE = 200


class VersionsView(SalesforceView):
    """GET /services/data/: the API versions served (no authentication, as Salesforce)."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    def get(self, request):
        return Response(
            [
                {"label": f"Funnel {version}", "url": f"/services/data/v{version}", "version": version}
                for version in SUPPORTED_VERSIONS
            ]
        )


class ResourcesView(SalesforceView):
    """GET /services/data/vXX.X/: the resources of a version."""

    def get(self, request, version):
        base = f"/services/data/v{version}"
        names = ["sobjects", "query", "queryAll", "jobs"]
        resources = {name: f"{base}/{name}" for name in names}
        resources["actions"] = f"{base}/actions"
        return Response(resources)


class GlobalDescribeView(SalesforceView):
    """GET …/sobjects/: the objects this API serves."""

    def get(self, request, version):
        return Response(
            {
                "encoding": "UTF-8",
                "maxBatchSize": MAX_BATCH_SIZE,
                "sobjects": [describe_global_entry(sobject, version) for sobject in SOBJECTS.values()],
            }
        )


class DescribeView(SalesforceView):
    """GET …/sobjects/{Type}/describe/: fields, types, picklist values, createable/updateable flags."""

    def get(self, request, version, sobject):
        return Response(describe_sobject(self.sobject(), version))
