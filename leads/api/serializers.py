from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from campaigns.models import Campaign
from campaigns.selectors import get_campaign_touches
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
    "grade",
    "owner",
    "unsubscribed_at",
    "mql_at",
    "qualified_at",
    "converted_at",
    "matched_account",
    "converted_account",
    "converted_contact",
    "converted_opportunity",
    "last_activity_at",
    "created_at",
    "updated_at",
    "campaign",
    "first_touch_campaign",
    "last_touch_campaign",
    "conversion_probability",
    "conversion_reasons",
]


class ConversionReasonSerializer(serializers.Serializer):
    """One of the top reasons behind a lead's conversion probability."""

    feature = serializers.CharField(help_text="The model feature it comes from, e.g. `source` or `calls`.")
    impact = serializers.FloatField(
        help_text="Its signed pull on the chance, in percentage points (positive raises it)."
    )
    text = serializers.CharField(
        help_text="The reason in words with its signed points, e.g. “Source: Webinar +12 pts”."
    )


class LeadSerializer(serializers.ModelSerializer):
    owner = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Managers and admins only; a rep naming anyone else gets 403 `permission_denied`.",
    )
    campaign = VisiblePrimaryKeyRelatedField(
        queryset=Campaign.objects.all(),
        write_only=True,
        required=False,
        allow_null=True,
        help_text="Make the lead a member of this campaign (status `sent`); a lead already in it is left as it is.",
    )
    grade = serializers.ChoiceField(
        choices=Lead.Grade.choices,
        allow_blank=True,
        read_only=True,
        help_text="Fit to the ideal customer profile, A (best) to D, from the grade rules; blank until graded.",
    )
    first_touch_campaign = serializers.SerializerMethodField(help_text="The campaign the lead joined first.")
    last_touch_campaign = serializers.SerializerMethodField(help_text="The campaign the lead joined last.")
    conversion_probability = serializers.FloatField(
        read_only=True,
        allow_null=True,
        help_text="The predictive model's chance (0 to 1) that the open lead converts; null while no model is "
        "active or for a closed lead.",
    )
    conversion_reasons = serializers.SerializerMethodField(
        help_text="The top reasons behind `conversion_probability`, strongest first; empty when there is none."
    )

    class Meta:
        model = Lead
        fields = LEAD_FIELDS
        read_only_fields = [
            "id",
            "score",
            "rating",
            "grade",
            "unsubscribed_at",
            "mql_at",
            "qualified_at",
            "converted_at",
            "matched_account",
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
            "budget_amount": {"min_value": 0},
        }
        # Uniqueness of open emails is checked by the service (it knows about converted leads).
        validators: list = []

    def _touches(self, lead: Lead) -> tuple[int | None, int | None]:
        # Lists annotate both (campaigns.selectors.annotate_campaign_touches); a single record reads them.
        if hasattr(lead, "first_touch_campaign_id"):
            return lead.first_touch_campaign_id, lead.last_touch_campaign_id
        if not hasattr(lead, "_campaign_touches"):
            lead._campaign_touches = get_campaign_touches(lead.pk)
        return lead._campaign_touches

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_first_touch_campaign(self, lead: Lead) -> int | None:
        return self._touches(lead)[0]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_last_touch_campaign(self, lead: Lead) -> int | None:
        return self._touches(lead)[1]

    @extend_schema_field(ConversionReasonSerializer(many=True))
    def get_conversion_reasons(self, lead: Lead) -> list[dict]:
        return lead.conversion_reasons or []

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
