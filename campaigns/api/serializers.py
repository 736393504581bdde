"""Campaign API shapes: the campaign (costs as decimal strings) and its members."""

from rest_framework import serializers

from campaigns.models import Campaign, CampaignMember
from campaigns.services import EDITABLE_FIELDS
from core.serializers import VisiblePrimaryKeyRelatedField
from users.models import User

# Leads sit above campaigns: their model comes through the member's foreign key, not an import.
Lead = CampaignMember._meta.get_field("lead").related_model
Contact = CampaignMember._meta.get_field("contact").related_model


class CampaignSerializer(serializers.ModelSerializer):
    parent = VisiblePrimaryKeyRelatedField(queryset=Campaign.objects.all(), required=False, allow_null=True)
    owner = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Who runs the campaign; defaults to the caller.",
    )

    class Meta:
        model = Campaign
        fields = ["id", *EDITABLE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {
            "description": {"max_length": 20_000},
            "budgeted_cost": {"min_value": 0},
            "actual_cost": {"min_value": 0},
        }

    def validate(self, attrs):
        start = attrs.get("start_date", getattr(self.instance, "start_date", None))
        end = attrs.get("end_date", getattr(self.instance, "end_date", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_date": ["The end date must not be before the start date."]})
        parent = attrs.get("parent")
        if parent is not None and self.instance is not None and parent.pk == self.instance.pk:
            raise serializers.ValidationError({"parent": ["A campaign cannot be its own parent."]})
        return attrs


class CampaignMemberSerializer(serializers.ModelSerializer):
    lead = VisiblePrimaryKeyRelatedField(queryset=Lead.objects.all(), required=False, allow_null=True)
    contact = VisiblePrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    has_responded = serializers.BooleanField(read_only=True)

    class Meta:
        model = CampaignMember
        fields = ["id", "campaign", "lead", "contact", "status", "has_responded", "first_responded_at", "created_at"]
        read_only_fields = ["id", "campaign", "first_responded_at", "created_at"]
        validators: list = []

    def validate(self, attrs):
        if self.instance is None and (attrs.get("lead") is None) == (attrs.get("contact") is None):
            raise serializers.ValidationError({"lead": ["Name either a lead or a contact."]})
        return attrs


class MemberStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=CampaignMember.Status.choices)
