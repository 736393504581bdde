from rest_framework import serializers

from activities.models import Activity, Notification
from core.serializers import VisiblePrimaryKeyRelatedField

RECORD_FIELDS = ["lead", "contact", "account", "opportunity"]


def _record_field(name: str) -> VisiblePrimaryKeyRelatedField:
    model = Activity._meta.get_field(name).related_model
    return VisiblePrimaryKeyRelatedField(queryset=model._default_manager.all(), required=False, allow_null=True)


class ActivitySerializer(serializers.ModelSerializer):
    # The records are apps above activities: their models come from the foreign keys, not from their modules.
    lead = _record_field("lead")
    contact = _record_field("contact")
    account = _record_field("account")
    opportunity = _record_field("opportunity")

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "subject",
            "body",
            "due_at",
            "completed_at",
            "remind_at",
            "reminder_sent_at",
            "call_outcome",
            "duration_seconds",
            "owner",
            *RECORD_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "owner", "reminder_sent_at", "created_at", "updated_at"]
        extra_kwargs = {"body": {"max_length": 20_000}}

    def validate(self, attrs):
        records = {field: attrs.get(field, getattr(self.instance, field, None)) for field in RECORD_FIELDS}
        if not any(records.values()):
            raise serializers.ValidationError(
                {"non_field_errors": ["Attach the activity to a lead, contact, account or opportunity."]}
            )
        return attrs


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "url", "activity", "created_at", "read_at"]
        read_only_fields = fields
