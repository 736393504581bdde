from rest_framework import serializers

from core.serializers import VisiblePrimaryKeyRelatedField
from leads.models import Lead
from leads.services.capture import EDITABLE_FIELDS
from users.models import User

# What the service edits, then the status and owner (changed through their own services) and the
# read-only stamps.
LEAD_FIELDS = [
    "id",
    *EDITABLE_FIELDS,
    "status",
    "unqualified_reason",
    "score",
    "rating",
    "owner",
    "unsubscribed_at",
    "mql_at",
    "qualified_at",
    "converted_at",
    "converted_account",
    "converted_contact",
    "converted_opportunity",
    "last_activity_at",
    "created_at",
    "updated_at",
]


class LeadSerializer(serializers.ModelSerializer):
    owner = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Managers and admins only; a rep naming anyone else gets 403 `permission_denied`.",
    )

    class Meta:
        model = Lead
        fields = LEAD_FIELDS
        read_only_fields = [
            "id",
            "score",
            "rating",
            "unsubscribed_at",
            "mql_at",
            "qualified_at",
            "converted_at",
            "converted_account",
            "converted_contact",
            "converted_opportunity",
            "last_activity_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "description": {"max_length": 20_000},
            "annual_revenue": {"min_value": 0},
        }
        # Uniqueness of open emails is checked by the service (it knows about converted leads).
        validators: list = []

    def validate_status(self, value):
        if value == Lead.Status.CONVERTED:
            raise serializers.ValidationError("A lead becomes converted only through the convert action.")
        return value


class LeadBulkInputSerializer(serializers.Serializer):
    leads = serializers.ListField(
        child=serializers.JSONField(),
        min_length=1,
        max_length=1000,
        help_text="Up to 1000 lead objects (fields as in Lead); matched by email among the leads you can see.",
    )


class LeadBulkRowErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    errors = serializers.DictField()


class LeadBulkResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    errors = LeadBulkRowErrorSerializer(many=True)
