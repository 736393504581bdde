"""Records: create, read, update, delete, and upsert or read by an external id."""

from __future__ import annotations

from rest_framework import status
from rest_framework.response import Response

from integrations.salesforce import errors, records
from integrations.salesforce.describe import describe_global_entry
from integrations.salesforce.ids import to_sf_id
from integrations.salesforce.views.base import SalesforceView
from integrations.salesforce.views.meta import RECENT_ITEMS


def _field_names(request) -> list[str] | None:
    """The `fields=A,B` of a GET (None: all fields); an unknown name is INVALID_FIELD."""
    raw = request.query_params.get("fields")
    if raw is None:
        return None
    names = [name.strip() for name in raw.split(",") if name.strip()]
    return names or None


class SObjectView(SalesforceView):
    """GET …/sobjects/{Type}/: basic information and recent items; POST: create a record."""

    def get(self, request, version, sobject):
        the_object = self.sobject()
        recent = the_object.visible(request.user).order_by("-pk")[:RECENT_ITEMS]
        names = ["Id", "Name"]
        return Response(
            {
                "objectDescribe": describe_global_entry(the_object, version),
                "recentItems": [the_object.to_record(item, names, version=version) for item in recent],
            }
        )

    def post(self, request, version, sobject):
        the_object = self.sobject()
        instance = records.create_record(the_object, request.data, by=request.user)
        return Response(
            {"id": to_sf_id(the_object.name, instance.pk), "success": True, "errors": []},
            status=status.HTTP_201_CREATED,
        )


class RecordView(SalesforceView):
    """GET|PATCH|DELETE …/sobjects/{Type}/{id}."""

    def get(self, request, version, sobject, record_id):
        the_object = self.sobject()
        names = _field_names(request)
        if names is not None:
            for name in names:
                the_object.field(name)
        instance = records.get_visible(the_object, record_id, request.user)
        return Response(the_object.to_record(instance, names, version=version))

    def patch(self, request, version, sobject, record_id):
        the_object = self.sobject()
        instance = records.get_visible(the_object, record_id, request.user)
        records.update_record(the_object, instance, request.data, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    def delete(self, request, version, sobject, record_id):
        the_object = self.sobject()
        instance = records.get_visible(the_object, record_id, request.user)
        records.delete_record(the_object, instance, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExternalIdView(SalesforceView):
    """GET|PATCH|DELETE …/sobjects/{Type}/{ExternalField}/{value}: read, upsert or delete by an external id."""

    def _matches(self, request) -> list:
        the_object = self.sobject()
        found = records.find_by_external_id(the_object, self.kwargs["field"], self.kwargs["value"], request.user)
        if not found:
            raise errors.not_found()
        if len(found) > 1:
            urls = [the_object.url(item.pk, self.version) for item in found[: records.MAX_LISTED_MATCHES]]
            raise errors.multiple_matches(urls)
        return found

    def get(self, request, version, sobject, field, value):
        the_object = self.sobject()
        names = _field_names(request)
        (instance,) = self._matches(request)
        return Response(the_object.to_record(instance, names, version=version))

    def patch(self, request, version, sobject, field, value):
        the_object = self.sobject()
        instance, created = records.upsert_record(the_object, field, value, request.data, by=request.user)
        body = {"id": to_sf_id(the_object.name, instance.pk), "success": True, "errors": [], "created": created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def delete(self, request, version, sobject, field, value):
        the_object = self.sobject()
        (instance,) = self._matches(request)
        records.delete_record(the_object, instance, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
