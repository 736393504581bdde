"""Everything under /services/ (the Salesforce-compatible API).

Clients differ on trailing slashes (simple-salesforce creates at `sobjects/Lead/` and reads `sobjects/Lead/<id>`),
so every route takes both. Any other path answers Salesforce's JSON 404.
"""

from django.urls import include, re_path

from integrations.salesforce.views import actions, meta, oauth, records
from integrations.salesforce.views.base import unknown_resource

app_name = "salesforce"

# The version part of a data URL: "v62.0" (the view gets "62.0"; unsupported versions answer NOT_FOUND).
VERSION = r"v(?P<version>\d{1,3}\.\d)"
DATA = rf"^data/{VERSION}"
SOBJECT = rf"{DATA}/sobjects/(?P<sobject>\w+)"

urlpatterns = [
    re_path(r"^oauth2/token/?$", oauth.TokenView.as_view(), name="oauth-token"),
    re_path(r"^data/?$", meta.VersionsView.as_view(), name="versions"),
    re_path(rf"{DATA}/?$", meta.ResourcesView.as_view(), name="resources"),
    re_path(rf"{DATA}/sobjects/?$", meta.GlobalDescribeView.as_view(), name="sobjects"),
    re_path(rf"{SOBJECT}/?$", records.SObjectView.as_view(), name="sobject"),
    re_path(rf"{SOBJECT}/describe/?$", meta.DescribeView.as_view(), name="describe"),
    re_path(rf"{SOBJECT}/(?P<record_id>[^/]+)/?$", records.RecordView.as_view(), name="record"),
    re_path(
        rf"{SOBJECT}/(?P<field>\w+)/(?P<value>[^/]+)/?$", records.ExternalIdView.as_view(), name="record-by-external-id"
    ),
    re_path(rf"{DATA}/actions/standard/convertLead/?$", actions.ConvertLeadView.as_view(), name="convert-lead"),
    # query: integrations.salesforce.soql.urls
    re_path(rf"{DATA}/", include("integrations.salesforce.soql.urls")),
    # jobs: integrations.salesforce.bulk.urls
    re_path(rf"{DATA}/jobs/", include("integrations.salesforce.bulk.urls")),
    re_path(r"^.*$", unknown_resource, name="unknown"),
]
