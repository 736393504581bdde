from rest_framework import serializers

from accounts.models import Account
from accounts.services import EDITABLE_FIELDS
from core.serializers import VisiblePrimaryKeyRelatedField
from users.models import User


class AccountSerializer(serializers.ModelSerializer):
    owner = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Managers and admins only (403 otherwise); defaults to the caller.",
    )
    parent = VisiblePrimaryKeyRelatedField(queryset=Account.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Account
        # The writable fields are exactly what the service edits; the rest are read-only or role-checked.
        fields = ["id", *EDITABLE_FIELDS, "domain", "is_person_account", "owner", "created_at", "updated_at"]
        read_only_fields = ["id", "domain", "is_person_account", "created_at", "updated_at"]
        extra_kwargs = {"description": {"max_length": 20_000}, "annual_revenue": {"min_value": 0}}

    def validate_parent(self, value):
        if value is not None and self.instance is not None and value.pk == self.instance.pk:
            raise serializers.ValidationError("An account cannot be its own parent.")
        return value
