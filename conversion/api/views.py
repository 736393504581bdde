"""The lead actions of conversion: `POST leads/{id}/convert/` and `GET leads/{id}/matches/`."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.api.serializers import AccountSerializer
from accounts.models import Account
from contacts.api.serializers import ContactSerializer
from contacts.models import Contact
from conversion.selectors import list_account_matches, list_contact_matches, list_lead_matches, pick_account_match
from conversion.services import convert_lead
from core.serializers import ErrorSerializer, VisiblePrimaryKeyRelatedField
from leads.api.serializers import LeadSerializer
from leads.api.views import LeadActionViewSet
from opportunities.api.serializers import OpportunitySerializer
from opportunities.models import Stage
from users.models import User

MAX_ID = 2**63 - 1


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string", "enum": ["new"]}]})
class VisibleRecordOrNewField(serializers.Field):
    """An id of a record the caller can see, or "new"."""

    default_error_messages = {
        "invalid": 'Give an id or "new".',
        "does_not_exist": "No {label} with id {value} that you can see.",
    }

    def __init__(self, *, model, label: str, **kwargs) -> None:
        self.model = model
        self.record_label = label
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if data == "new":
            return "new"
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("invalid")
        try:
            pk = int(data)
        except ValueError:
            self.fail("invalid")
        if not 0 < pk <= MAX_ID:
            self.fail("does_not_exist", label=self.record_label, value=data)
        record = self.model.objects.visible_to(self.context["request"].user).filter(pk=pk).first()
        if record is None:
            self.fail("does_not_exist", label=self.record_label, value=data)
        return record

    def to_representation(self, value):
        return value if value == "new" else value.pk


class OpportunityOverridesSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255, required=False, allow_blank=False)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True)
    close_date = serializers.DateField(required=False, allow_null=True)
    stage = VisiblePrimaryKeyRelatedField(queryset=Stage.objects.all(), required=False, allow_null=True)


class ConvertLeadSerializer(serializers.Serializer):
    account = VisibleRecordOrNewField(model=Account, label="account", required=False, allow_null=True)
    contact = VisibleRecordOrNewField(model=Contact, label="contact", required=False, allow_null=True)
    create_opportunity = serializers.BooleanField(required=False, default=True)
    opportunity = OpportunityOverridesSerializer(required=False, allow_null=True)
    owner = VisiblePrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), required=False, allow_null=True)

    def validate_opportunity(self, value):
        return {key: item for key, item in (value or {}).items() if item is not None}


class ConversionSerializer(serializers.Serializer):
    lead = LeadSerializer()
    account = AccountSerializer()
    account_created = serializers.BooleanField()
    contact = ContactSerializer()
    contact_created = serializers.BooleanField()
    opportunity = OpportunitySerializer(allow_null=True)


class AccountMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="record.pk")
    name = serializers.CharField(source="record.name")
    domain = serializers.CharField(source="record.domain")
    owner = serializers.IntegerField(source="record.owner_id", allow_null=True)
    reason = serializers.CharField()


class ContactMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="record.pk")
    first_name = serializers.CharField(source="record.first_name")
    last_name = serializers.CharField(source="record.last_name")
    email = serializers.CharField(source="record.email")
    account = serializers.IntegerField(source="record.account_id", allow_null=True)
    owner = serializers.IntegerField(source="record.owner_id", allow_null=True)
    reason = serializers.CharField()


class LeadMatchSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="record.pk")
    first_name = serializers.CharField(source="record.first_name")
    last_name = serializers.CharField(source="record.last_name")
    email = serializers.CharField(source="record.email")
    company = serializers.CharField(source="record.company")
    status = serializers.CharField(source="record.status")
    owner = serializers.IntegerField(source="record.owner_id", allow_null=True)
    reason = serializers.CharField()


class MatchesSerializer(serializers.Serializer):
    accounts = AccountMatchSerializer(many=True)
    contacts = ContactMatchSerializer(many=True)
    leads = LeadMatchSerializer(many=True)


ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    404: OpenApiResponse(ErrorSerializer, description="No such lead visible to you."),
}


class LeadConversionViewSet(LeadActionViewSet):
    """`POST /leads/{id}/convert/` and `GET /leads/{id}/matches/`."""

    @extend_schema(
        summary="Convert a lead into an account, a contact and optionally an opportunity",
        request=ConvertLeadSerializer,
        responses={
            201: ConversionSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='Invalid input naming the field (e.g. `account`), or `{"code": "lead_not_convertible"}`.',
            ),
            403: OpenApiResponse(ErrorSerializer, description="A rep chose another owner."),
            409: OpenApiResponse(ErrorSerializer, description="`lead_already_converted`: converted already."),
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        lead = self.get_object()
        serializer = ConvertLeadSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        conversion = convert_lead(lead, by=request.user, **serializer.validated_data)
        body = ConversionSerializer(conversion, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Accounts, contacts and leads that look like this lead, best first",
        responses={200: MatchesSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get"])
    def matches(self, request, pk=None):
        lead = self.get_object()
        accounts = list_account_matches(lead, user=request.user)
        body = {
            "accounts": accounts,
            "contacts": list_contact_matches(lead, user=request.user, accounts=[m.record for m in accounts]),
            "leads": list_lead_matches(lead, user=request.user),
        }
        suggested = pick_account_match(accounts)
        if suggested is not None:
            # The account conversion would pick comes first.
            body["accounts"] = sorted(accounts, key=lambda match: match.record.pk != suggested.pk)
        return Response(MatchesSerializer(body).data)
