"""Webhook endpoints and their delivery log in /api/v1/webhooks/."""

from __future__ import annotations

from rest_framework import serializers

from integrations.webhooks.catalog import EVENT_TYPES
from integrations.webhooks.models import Delivery, Endpoint

EVENTS_HELP = f"Event types to receive: {', '.join(EVENT_TYPES)}."


class WebhookEndpointSerializer(serializers.ModelSerializer):
    # Checked by the service, which names an unknown type in its 400.
    events = serializers.ListField(child=serializers.CharField(max_length=50), help_text=EVENTS_HELP)
    url = serializers.CharField(max_length=2000, help_text="http or https; must resolve to public addresses.")

    class Meta:
        model = Endpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "is_active",
            "disabled_reason",
            "failing_since",
            "previous_secret_expires_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "disabled_reason",
            "failing_since",
            "previous_secret_expires_at",
            "created_by",
            "created_at",
            "updated_at",
        ]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(read_only=True, help_text="The signing secret (whsec_…); shown this once.")

    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]


class WebhookRotatedSecretSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    secret = serializers.CharField(help_text="The new secret (whsec_…); shown this once.")
    previous_secret_expires_at = serializers.DateTimeField(help_text="Until then the old secret signs too.")


class WebhookRotateInputSerializer(serializers.Serializer):
    grace_hours = serializers.IntegerField(
        min_value=0, max_value=24 * 7, required=False, default=24, help_text="How long the old secret keeps signing."
    )


class WebhookDeliverySerializer(serializers.ModelSerializer):
    message_id = serializers.CharField(source="message.webhook_id", read_only=True)
    event_type = serializers.CharField(source="message.event_type", read_only=True)
    record = serializers.CharField(source="record_key", read_only=True)
    message_created_at = serializers.DateTimeField(source="message.created_at", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "message_id",
            "event_type",
            "record",
            "message_created_at",
            "status",
            "attempts",
            "next_attempt_at",
            "last_attempt_at",
            "last_status_code",
            "latency_ms",
            "response_excerpt",
            "error",
        ]
        read_only_fields = fields


class WebhookReplayInputSerializer(serializers.Serializer):
    message_id = serializers.CharField(max_length=40, required=False, help_text="One message's webhook-id (msg_…).")
    since = serializers.DateTimeField(required=False, help_text="Every message from this time on …")
    until = serializers.DateTimeField(required=False, help_text="… and before this time (default: now).")

    def validate(self, attrs):
        if "message_id" in attrs and ("since" in attrs or "until" in attrs):
            raise serializers.ValidationError("Give either a `message_id` or a `since` / `until` range, not both.")
        if "message_id" not in attrs and "since" not in attrs:
            raise serializers.ValidationError("Give a `message_id`, or a `since` (and optional `until`).")
        return attrs


class WebhookReplayResultSerializer(serializers.Serializer):
    queued = serializers.IntegerField(help_text="Messages queued again, with their original webhook-ids.")
