"""`/api/v1/attachments/`: files on the records the caller can see — list by record, upload, download, delete."""

from __future__ import annotations

from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from activities import attachments as services
from activities.attachment_views import download_response
from activities.models import Attachment
from core.filters import IntegerFilter
from core.parsers import MultiPartParser as SafeMultiPartParser
from core.serializers import BAD_INPUT, ErrorSerializer, VisiblePrimaryKeyRelatedField
from core.viewsets import FunnelGenericViewSet

RECORD_FIELDS = list(services.RECORD_NAMES)


class FileRenderer(BaseRenderer):
    """Lets a client that asks for the file's bytes (`Accept: application/octet-stream`) reach the download."""

    media_type = "application/octet-stream"
    format = "file"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


def _record_field(name: str) -> VisiblePrimaryKeyRelatedField:
    model = Attachment._meta.get_field(name).related_model
    return VisiblePrimaryKeyRelatedField(queryset=model._default_manager.all(), required=False, allow_null=True)


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = [
            "id",
            *RECORD_FIELDS,
            "original_name",
            "content_type",
            "size",
            "uploaded_by",
            "created_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, attachment: Attachment) -> str:
        return reverse("api:attachment-download", args=[attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    """Multipart: `file` and exactly one of `lead`, `contact`, `account`, `opportunity` (a visible record's id)."""

    # Missing and empty files are refused by the service, with the same codes as on the record pages.
    file = serializers.FileField(required=False, allow_empty_file=True, use_url=False)
    lead = _record_field("lead")
    contact = _record_field("contact")
    account = _record_field("account")
    opportunity = _record_field("opportunity")

    def validate(self, attrs):
        given = [name for name in RECORD_FIELDS if attrs.get(name) is not None]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"non_field_errors": ["Name exactly one lead, contact, account or opportunity."]}
            )
        return attrs


class AttachmentFilter(filters.FilterSet):
    lead = IntegerFilter(field_name="lead_id")
    contact = IntegerFilter(field_name="contact_id")
    account = IntegerFilter(field_name="account_id")
    opportunity = IntegerFilter(field_name="opportunity_id")

    class Meta:
        model = Attachment
        fields = RECORD_FIELDS


@extend_schema_view(
    list=extend_schema(responses={200: AttachmentSerializer(many=True)}),
    retrieve=extend_schema(responses={200: AttachmentSerializer}),
    destroy=extend_schema(responses={204: None, 404: ErrorSerializer, 409: ErrorSerializer}),
)
class AttachmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, FunnelGenericViewSet
):
    """Files attached to the records the caller can see; a record the caller may not see answers 404."""

    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilter
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]
    parser_classes = [SafeMultiPartParser]

    def get_queryset(self):
        return Attachment.objects.visible_to(self.request.user)

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, 400: BAD_INPUT, 409: ErrorSerializer, 413: ErrorSerializer},
    )
    def create(self, request, *args, **kwargs):
        services.check_request_size(request.META)  # on Content-Length, before the body is parsed
        upload = AttachmentUploadSerializer(data=request.data, context=self.get_serializer_context())
        upload.is_valid(raise_exception=True)
        data = upload.validated_data
        record = {name: data[name] for name in RECORD_FIELDS if data.get(name) is not None}
        attachment = services.add_attachment(by=request.user, upload=data.get("file"), **record)
        return Response(self.get_serializer(attachment).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.delete_attachment(instance, by=self.request.user)

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            404: ErrorSerializer,
        }
    )
    @action(detail=True, methods=["get"], renderer_classes=[JSONRenderer, FileRenderer])
    def download(self, request, pk=None):
        """The file, always as a download (`Content-Disposition: attachment`, `X-Content-Type-Options: nosniff`)."""
        return download_response(self.get_object())
