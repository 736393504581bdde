from rest_framework import serializers

from accounts.models import Account
from activities.models import Activity
from contacts.models import Contact
from crm.common.serializers import VisiblePrimaryKeyRelatedField
from leads.models import Lead
from opportunities.models import Opportunity

RECORD_FIELDS = ["lead", "contact", "account", "opportunity"]


class ActivitySerializer(serializers.ModelSerializer):
    lead = VisiblePrimaryKeyRelatedField(queryset=Lead.objects.all(), required=False, allow_null=True)
    contact = VisiblePrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False, allow_null=True)
    account = VisiblePrimaryKeyRelatedField(queryset=Account.objects.all(), required=False, allow_null=True)
    opportunity = VisiblePrimaryKeyRelatedField(queryset=Opportunity.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "subject",
            "body",
            "due_at",
            "completed_at",
            "owner",
            *RECORD_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "owner", "created_at", "updated_at"]
        extra_kwargs = {"body": {"max_length": 20_000}}

    def validate(self, attrs):
        records = {field: attrs.get(field, getattr(self.instance, field, None)) for field in RECORD_FIELDS}
        if not any(records.values()):
            raise serializers.ValidationError(
                {"non_field_errors": ["Attach the activity to a lead, contact, account or opportunity."]}
            )
        return attrs
