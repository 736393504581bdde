"""API: /api/v1/webhooks/ (admins): endpoints, secret rotation, the delivery log and replay."""

from __future__ import annotations

from datetime import timedelta

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from core.permissions import has_admin_access
from core.serializers import ErrorSerializer
from core.viewsets import FunnelModelViewSet
from integrations.webhooks import services
from integrations.webhooks.api.serializers import (
    WebhookDeliverySerializer,
    WebhookEndpointCreatedSerializer,
    WebhookEndpointSerializer,
    WebhookReplayInputSerializer,
    WebhookReplayResultSerializer,
    WebhookRotatedSecretSerializer,
    WebhookRotateInputSerializer,
)
from integrations.webhooks.models import Delivery, Endpoint
from integrations.webhooks.tasks import deliver_webhooks_task

ERRORS = {
    400: OpenApiResponse(description="Invalid input: the body names the field (`url`, `events` …)."),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(ErrorSerializer, description="Only admins manage webhooks."),
    404: OpenApiResponse(ErrorSerializer, description="No such endpoint."),
}


class IsAdmin(permissions.BasePermission):
    message = "Only admins manage webhooks (with an API token: one of the admin scope)."

    def has_permission(self, request, view) -> bool:
        return has_admin_access(request)


@extend_schema_view(
    list=extend_schema(responses={200: WebhookEndpointSerializer(many=True), **ERRORS}, description="Every endpoint."),
    retrieve=extend_schema(
        responses={200: WebhookEndpointSerializer, **ERRORS}, description="One endpoint (no secret)."
    ),
    partial_update=extend_schema(
        responses={200: WebhookEndpointSerializer, **ERRORS},
        description="Change `url`, `events`, `description` or `is_active` (true turns a disabled endpoint back on).",
    ),
    destroy=extend_schema(responses={204: None, **ERRORS}, description="Delete the endpoint and its delivery log."),
)
class WebhookEndpointViewSet(FunnelModelViewSet):
    """Webhook endpoints: each receives the event types it names, signed per Standard Webhooks."""

    serializer_class = WebhookEndpointSerializer
    permission_classes = [IsAdmin]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filter_backends: list = []
    ordering = ["-created_at"]
    update_service = services.update_endpoint
    delete_service = services.delete_endpoint

    def get_queryset(self):
        return Endpoint.objects.visible_to(self.request.user)

    @extend_schema(
        request=WebhookEndpointSerializer,
        responses={201: WebhookEndpointCreatedSerializer, **ERRORS},
        description="Register an endpoint; the answer carries its `secret` (whsec_…), shown this once.",
    )
    def create(self, request):
        payload = WebhookEndpointSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        endpoint, secret = services.create_endpoint(
            by=request.user, url=data["url"], events=data["events"], description=data.get("description", "")
        )
        body = WebhookEndpointCreatedSerializer(endpoint).data
        body["secret"] = secret
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=WebhookRotateInputSerializer,
        responses={200: WebhookRotatedSecretSerializer, **ERRORS},
        description="A new secret, shown this once; the old one keeps signing alongside for `grace_hours` (24).",
    )
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        endpoint = self.get_object()
        payload = WebhookRotateInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        endpoint, secret = services.rotate_secret(
            endpoint, by=request.user, grace=timedelta(hours=payload.validated_data["grace_hours"])
        )
        body = {"id": endpoint.pk, "secret": secret, "previous_secret_expires_at": endpoint.previous_secret_expires_at}
        return Response(WebhookRotatedSecretSerializer(body).data)

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=Delivery.Status.values, description="Only deliveries in this state.")
        ],
        responses={200: WebhookDeliverySerializer(many=True), **ERRORS},
        description="The delivery log, newest message first: status, attempts, latency, the response's first bytes.",
    )
    @action(detail=True, methods=["get"])
    def deliveries(self, request, pk=None):
        endpoint = self.get_object()
        log = Delivery.objects.filter(endpoint=endpoint).select_related("message")
        wanted = request.query_params.get("status")
        if wanted is not None:
            if wanted not in Delivery.Status.values:
                raise exceptions.ValidationError({"status": [f"Choose one of {', '.join(Delivery.Status.values)}."]})
            log = log.filter(status=wanted)
        page = self.paginate_queryset(log)
        return self.get_paginated_response(WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(
        request=WebhookReplayInputSerializer,
        responses={
            202: WebhookReplayResultSerializer,
            **ERRORS,
            409: OpenApiResponse(ErrorSerializer, description="The endpoint is off (`webhook_endpoint_inactive`)."),
        },
        description="Queue one message (`message_id`) or a time range (`since`, `until`) again, same webhook-ids.",
    )
    @action(detail=True, methods=["post"])
    def replay(self, request, pk=None):
        endpoint = self.get_object()
        payload = WebhookReplayInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        queued = services.replay_messages(
            endpoint,
            by=request.user,
            webhook_id=data.get("message_id"),
            since=data.get("since"),
            until=data.get("until"),
        )
        if queued:
            deliver_webhooks_task.delay_on_commit()
        return Response({"queued": queued}, status=status.HTTP_202_ACCEPTED)
