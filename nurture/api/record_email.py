"""Email from a record through the API: `POST /api/v1/leads/{id}/email/` and `/api/v1/contacts/{id}/email/`, and
the templates to write from (`GET /api/v1/email-templates/`)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from contacts.models import Contact
from core.serializers import BAD_INPUT, ErrorSerializer
from core.viewsets import FunnelReadOnlyViewSet, FunnelViewMixin
from leads.models import Lead
from nurture.models import EmailTemplate, RecordEmail
from nurture.services.record_email import queue_record_email


class EmailTemplateSerializer(serializers.ModelSerializer):
    class Meta:
        model = EmailTemplate
        fields = ["id", "name", "subject", "body_text", "active", "created_at", "updated_at"]
        read_only_fields = fields


class RecordEmailSerializer(serializers.ModelSerializer):
    class Meta:
        model = RecordEmail
        fields = ["id", "lead", "contact", "template", "to_email", "subject", "body_text", "status", "created_at"]
        read_only_fields = fields


class RecordEmailInputSerializer(serializers.Serializer):
    template = serializers.PrimaryKeyRelatedField(
        queryset=EmailTemplate.objects.active(),
        required=False,
        allow_null=True,
        help_text="An active template; its subject and body fill whichever of `subject` and `body` is left out.",
    )
    subject = serializers.CharField(max_length=255, required=False, allow_blank=True)
    body = serializers.CharField(max_length=20_000, required=False, allow_blank=True, trim_whitespace=False)

    def validate(self, attrs):
        template = attrs.get("template")
        if not attrs.get("subject"):
            attrs["subject"] = template.subject if template else ""
        if not attrs.get("body"):
            attrs["body"] = template.body_text if template else ""
        errors = {
            name: ["This field is required (or pick a template)."] for name in ("subject", "body") if not attrs[name]
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class RecordEmailView(FunnelViewMixin, APIView):
    """Write to a visible lead or contact: the email is queued (202) and sent once by a worker."""

    model: type = Lead

    @extend_schema(
        request=RecordEmailInputSerializer,
        responses={202: RecordEmailSerializer, 400: BAD_INPUT, 404: ErrorSerializer},
    )
    def post(self, request, pk: int):
        record = get_object_or_404(self.model.objects.visible_to(request.user), pk=pk)
        serializer = RecordEmailInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        email = queue_record_email(
            record, by=request.user, subject=data["subject"], body=data["body"], template=data.get("template")
        )
        return Response(RecordEmailSerializer(email).data, status=status.HTTP_202_ACCEPTED)


class LeadEmailView(RecordEmailView):
    """`POST /api/v1/leads/{id}/email/`: email a lead (never one that is do-not-contact, unsubscribed or converted)."""

    model = Lead

    @extend_schema(
        tags=["leads"],
        request=RecordEmailInputSerializer,
        responses={202: RecordEmailSerializer, 400: BAD_INPUT, 404: ErrorSerializer},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


class ContactEmailView(RecordEmailView):
    """`POST /api/v1/contacts/{id}/email/`: email a contact (never one that is do-not-contact)."""

    model = Contact

    @extend_schema(
        tags=["contacts"],
        request=RecordEmailInputSerializer,
        responses={202: RecordEmailSerializer, 400: BAD_INPUT, 404: ErrorSerializer},
    )
    def post(self, request, pk: int):
        return super().post(request, pk)


class EmailTemplateViewSet(FunnelReadOnlyViewSet):
    """Email templates reps write from (read; admins edit them in the admin)."""

    serializer_class = EmailTemplateSerializer
    filterset_fields = ["active"]
    ordering_fields = ["name"]
    ordering = ["name"]

    def get_queryset(self):
        return EmailTemplate.objects.visible_to(self.request.user)
