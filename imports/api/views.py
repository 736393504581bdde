"""Lead import over the API: `POST imports/` (multipart CSV), `GET imports/{id}/` progress, `errors.csv`."""

from __future__ import annotations

import csv

from django.db.models import Q
from django.http import StreamingHttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from core import leases
from core.serializers import ErrorSerializer, VisiblePrimaryKeyRelatedField
from core.viewsets import FunnelViewMixin
from imports.models import ImportJob, ImportRowError
from imports.reading import IMPORTABLE_FIELDS, escape_for_spreadsheet
from imports.services import create_import
from users.models import User


class ImportJobSerializer(serializers.ModelSerializer):
    rate = serializers.FloatField(read_only=True, allow_null=True, help_text="Rows per second of the current run.")
    eta_seconds = serializers.IntegerField(read_only=True, allow_null=True)
    error_report = serializers.SerializerMethodField()
    recovering = serializers.SerializerMethodField(
        help_text="True while the job's worker stopped and another has not taken it over yet."
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "status",
            "original_name",
            "headers",
            "mapping",
            "owner",
            "rows_total",
            "rows_done",
            "created",
            "updated",
            "merged",
            "failed",
            "rate",
            "eta_seconds",
            "detail",
            "recovering",
            "error_report",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_error_report(self, job: ImportJob) -> str:
        path = reverse("api:import-errors", kwargs={"pk": job.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_recovering(self, job: ImportJob) -> bool:
        return job.status == ImportJob.Status.RUNNING and leases.is_recovering("import", job.pk)


class ImportCreateSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A CSV file: UTF-8 (with or without BOM) or Latin-1, any delimiter.")
    mapping = serializers.JSONField(
        required=False,
        help_text=f"JSON object {{CSV header: lead field or ''}}; detected from the headers when absent. "
        f"Fields: {', '.join(IMPORTABLE_FIELDS)}.",
    )
    owner = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, help_text="Empty: assignment."
    )


class ImportQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    404: OpenApiResponse(ErrorSerializer, description="No such import that you can see."),
}


@extend_schema_view(
    list=extend_schema(summary="Imports you can see", responses={200: ImportJobSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(summary="Progress of an import", responses={200: ImportJobSerializer, **ERRORS}),
)
class ImportJobViewSet(FunnelViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """CSV imports of leads: managers and admins start them; everyone sees their own, managers their team's."""

    serializer_class = ImportJobSerializer
    parser_classes = [MultiPartParser, FormParser]
    filterset_fields = ["status"]
    search_fields: list[str] = []
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return ImportJob.objects.visible_to(self.request.user).order_by("-created_at", "-id")

    @extend_schema(
        summary="Import a CSV of leads",
        request={"multipart/form-data": ImportCreateSerializer},
        responses={
            202: ImportQueuedSerializer,
            400: OpenApiResponse(description="`file` unreadable, empty or not CSV; `mapping` invalid or no last_name."),
            **ERRORS,
            403: OpenApiResponse(ErrorSerializer, description="Reps may not import."),
        },
    )
    def create(self, request):
        serializer = ImportCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        job = create_import(by=request.user, file=data["file"], mapping=data.get("mapping"), owner=data.get("owner"))
        return Response({"id": job.pk, "status": job.status}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Error report of an import (CSV: row, column, message, value)",
        responses={(200, "text/csv"): OpenApiTypes.BINARY, **ERRORS},
    )
    def errors(self, request, pk=None):
        job = self.get_object()
        return error_report_response(job)


class _Echo:
    def write(self, value: str) -> str:
        return value


def error_report_response(job: ImportJob) -> StreamingHttpResponse:
    """Stream the error report of `job` as CSV, every cell quoted against spreadsheet formulas."""
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(["row", "column", "message", "value"])
        # Keyset pages rather than a server-side cursor: no database cursor stays open while the client reads.
        after = (0, 0)
        while True:
            page = list(
                ImportRowError.objects.filter(job=job)
                .filter(Q(row__gt=after[0]) | Q(row=after[0], pk__gt=after[1]))
                .order_by("row", "pk")
                .values_list("row", "pk", "column", "message", "value")[:5000]
            )
            for number, _, column, message, value in page:
                yield writer.writerow([number, *(escape_for_spreadsheet(text) for text in (column, message, value))])
            if len(page) < 5000:
                return
            after = (page[-1][0], page[-1][1])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
