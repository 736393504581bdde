from rest_framework import serializers

from crm.common.serializers import VisiblePrimaryKeyRelatedField
from crm.users.models import User
from leads.models import Lead


class LeadSerializer(serializers.ModelSerializer):
    owner = VisiblePrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False, allow_null=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "company",
            "title",
            "website",
            "industry",
            "employees",
            "annual_revenue",
            "country",
            "city",
            "source",
            "status",
            "unqualified_reason",
            "score",
            "rating",
            "owner",
            "do_not_contact",
            "unsubscribed_at",
            "description",
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
        # Uniqueness of open emails is checked by the service (it knows about converted leads).
        validators: list = []
