from rest_framework import serializers

from accounts.models import Account
from core.serializers import VisiblePrimaryKeyRelatedField
from opportunities.models import Opportunity, Stage
from users.models import User


class OpportunitySerializer(serializers.ModelSerializer):
    owner = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Managers and admins only (403 otherwise); defaults to the caller.",
    )
    account = VisiblePrimaryKeyRelatedField(queryset=Account.objects.all())
    stage = VisiblePrimaryKeyRelatedField(
        queryset=Stage.objects.all(),
        required=False,
        help_text="A stage id; the first open stage when omitted. Moving to a lost stage needs `lost_reason`.",
    )
    is_closed = serializers.BooleanField(source="stage.is_closed", read_only=True)
    is_won = serializers.BooleanField(source="stage.is_won", read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "name",
            "account",
            "amount",
            "close_date",
            "stage",
            "probability",
            "forecast_category",
            "forecast_note",
            "forecast_overridden",
            "lead_source",
            "next_step",
            "lost_reason",
            "owner",
            "sourced_by",
            "is_closed",
            "is_won",
            "closed_at",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "sourced_by", "forecast_overridden", "closed_at", "created_at", "updated_at"]
        extra_kwargs = {
            "description": {"max_length": 20_000},
            "amount": {"min_value": 0},
            "probability": {"min_value": 0, "max_value": 100},
        }


class StageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Stage
        fields = ["id", "name", "order", "probability", "is_closed", "is_won", "forecast_category"]
        extra_kwargs = {"probability": {"min_value": 0, "max_value": 100}}

    def validate(self, attrs):
        is_won = attrs.get("is_won", getattr(self.instance, "is_won", False))
        is_closed = attrs.get("is_closed", getattr(self.instance, "is_closed", False))
        if is_won and not is_closed:
            raise serializers.ValidationError({"is_won": ["A won stage must also be closed."]})
        return attrs
