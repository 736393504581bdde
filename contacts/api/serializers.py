from rest_framework import serializers

from accounts.models import Account
from contacts.models import Contact
from crm.common.serializers import VisiblePrimaryKeyRelatedField
from crm.users.models import User


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
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "title",
            "department",
            "mailing_street",
            "mailing_city",
            "mailing_state",
            "mailing_postal_code",
            "mailing_country",
            "account",
            "lead_source",
            "owner",
            "do_not_contact",
            "description",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"description": {"max_length": 20_000}}
