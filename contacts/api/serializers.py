from rest_framework import serializers

from accounts.models import Account
from contacts.models import Contact
from contacts.services import EDITABLE_FIELDS
from core.serializers import VisiblePrimaryKeyRelatedField
from users.models import User


class ContactSerializer(serializers.ModelSerializer):
    owner = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Managers and admins only (403 otherwise); defaults to the caller.",
    )
    account = VisiblePrimaryKeyRelatedField(queryset=Account.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Contact
        # The writable fields are exactly what the service edits; owner is role-checked by the service.
        fields = ["id", *EDITABLE_FIELDS, "owner", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"description": {"max_length": 20_000}}
