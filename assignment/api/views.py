"""API for assignment: the rules (`assignment-rules/`), territories (`territories/`) and the lead `assign` action."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.models import Account
from assignment import services
from assignment.models import AssignmentRule, Territory
from core.exceptions import PermissionDenied
from core.serializers import ErrorSerializer, VisiblePrimaryKeyRelatedField
from core.viewsets import FunnelViewMixin, ServiceWritesMixin
from leads.api.serializers import LeadSerializer
from leads.api.views import LeadActionViewSet
from leads.models import LeadSource
from users.models import Team, User

ERRORS = {
    400: OpenApiResponse(description="Invalid input; the body names the field."),
    401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
    403: OpenApiResponse(ErrorSerializer, description="Reps may not configure assignment."),
    404: OpenApiResponse(ErrorSerializer, description="No such rule."),
    429: OpenApiResponse(ErrorSerializer, description="Too many requests."),
}


class CanManage(permissions.BasePermission):
    message = "Only managers and admins configure assignment."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.can_manage)


class AssignmentRuleSerializer(serializers.ModelSerializer):
    # Plain strings: the model names the allowed values in its error, and the schema keeps one Source enum.
    sources = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        allow_empty=True,
        help_text=f"Lead sources ({', '.join(LeadSource.values)}); empty matches any.",
    )
    countries = serializers.ListField(child=serializers.CharField(max_length=100), required=False, allow_empty=True)
    industries = serializers.ListField(child=serializers.CharField(max_length=100), required=False, allow_empty=True)
    ratings = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        allow_empty=True,
        help_text="Lead ratings (hot, warm, cold); empty matches any.",
    )
    grades = serializers.ListField(
        child=serializers.CharField(max_length=1), required=False, allow_empty=True, help_text="A, B, C, D; empty: any."
    )
    rep_levels = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        allow_empty=True,
        help_text="Only reps of these levels (junior, mid, senior); empty: any.",
    )
    rep_skills = serializers.ListField(child=serializers.CharField(max_length=50), required=False, allow_empty=True)
    rep_functions = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        allow_empty=True,
        help_text="Only reps of these functions (sdr, ae); empty: any.",
    )
    target_user = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )
    target_team = VisiblePrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    target_territory = VisiblePrimaryKeyRelatedField(queryset=Territory.objects.all(), required=False, allow_null=True)

    class Meta:
        model = AssignmentRule
        fields = ["id", *services.RULE_FIELDS, "last_assigned_user", "created_at", "updated_at"]
        read_only_fields = ["id", "last_assigned_user", "created_at", "updated_at"]

    def validate(self, attrs):
        targets = [
            attrs.get(name, getattr(self.instance, name, None))
            for name in ("target_user", "target_team", "target_territory")
        ]
        if sum(target is not None for target in targets) > 1:
            raise serializers.ValidationError({"target_team": ["Target a user, a team or a territory: one of them."]})
        return attrs


class TerritorySerializer(serializers.ModelSerializer):
    countries = serializers.ListField(child=serializers.CharField(max_length=100), required=False, allow_empty=True)
    regions = serializers.ListField(child=serializers.CharField(max_length=100), required=False, allow_empty=True)
    postal_ranges = serializers.ListField(
        child=serializers.CharField(max_length=41),
        required=False,
        allow_empty=True,
        help_text='Postal-code ranges "from-to" or single codes, e.g. "10000-14999".',
    )
    named_accounts = VisiblePrimaryKeyRelatedField(many=True, queryset=Account.objects.all(), required=False)
    reps = VisiblePrimaryKeyRelatedField(many=True, queryset=User.objects.filter(is_active=True), required=False)

    class Meta:
        model = Territory
        fields = ["id", *services.TERRITORY_FIELDS, "named_accounts", "reps", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


@extend_schema_view(
    list=extend_schema(responses={200: TerritorySerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: TerritorySerializer, **ERRORS}),
    create=extend_schema(responses={201: TerritorySerializer, **ERRORS}),
    update=extend_schema(responses={200: TerritorySerializer, **ERRORS}),
    partial_update=extend_schema(responses={200: TerritorySerializer, **ERRORS}),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class TerritoryViewSet(FunnelViewMixin, ServiceWritesMixin, viewsets.ModelViewSet):
    """Sales territories (managers and admins): countries, regions, postal ranges and named accounts, with reps."""

    serializer_class = TerritorySerializer
    permission_classes = [permissions.IsAuthenticated, CanManage]
    filterset_fields = ["active"]
    ordering_fields = ["name"]
    create_service = services.create_territory
    update_service = services.update_territory
    delete_service = services.delete_territory

    def get_queryset(self):
        return Territory.objects.visible_to(self.request.user).prefetch_related("named_accounts", "reps")


@extend_schema_view(
    list=extend_schema(responses={200: AssignmentRuleSerializer(many=True), **ERRORS}),
    retrieve=extend_schema(responses={200: AssignmentRuleSerializer, **ERRORS}),
    create=extend_schema(responses={201: AssignmentRuleSerializer, **ERRORS}),
    update=extend_schema(responses={200: AssignmentRuleSerializer, **ERRORS}),
    partial_update=extend_schema(responses={200: AssignmentRuleSerializer, **ERRORS}),
    destroy=extend_schema(responses={204: None, **ERRORS}),
)
class AssignmentRuleViewSet(FunnelViewMixin, ServiceWritesMixin, viewsets.ModelViewSet):
    """Ordered assignment rules (managers and admins): the first active rule matching a lead picks its owner."""

    serializer_class = AssignmentRuleSerializer
    permission_classes = [permissions.IsAuthenticated, CanManage]
    filterset_fields = ["active", "method", "target_team", "target_user"]
    ordering_fields = ["order", "name"]
    create_service = services.create_assignment_rule
    update_service = services.update_assignment_rule
    delete_service = services.delete_assignment_rule

    def get_queryset(self):
        return AssignmentRule.objects.visible_to(self.request.user).order_by("order", "id")


class AssignInputSerializer(serializers.Serializer):
    owner = VisiblePrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="Managers and admins: the new owner. Omit to run the assignment rules.",
    )


class LeadAssignViewSet(LeadActionViewSet):
    """`POST /leads/{id}/assign/`."""

    @extend_schema(
        request=AssignInputSerializer,
        responses={
            200: LeadSerializer,
            400: OpenApiResponse(description="`owner` is not an active user you can see."),
            401: OpenApiResponse(ErrorSerializer, description="Not authenticated."),
            403: OpenApiResponse(ErrorSerializer, description="Only managers and admins may choose the owner."),
            404: OpenApiResponse(ErrorSerializer, description="No such lead, or not visible to you."),
            409: OpenApiResponse(ErrorSerializer, description="The lead is converted (`lead_converted`)."),
            429: OpenApiResponse(ErrorSerializer, description="Too many requests."),
        },
        description=(
            "`{}` runs the assignment rules on a lead that is still unassigned (an owned lead is returned "
            'unchanged); `{"owner": id}` reassigns it by hand (managers and admins). The new owner is emailed.'
        ),
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        lead = self.get_object()
        wants_owner = isinstance(request.data, dict) and request.data.get("owner") is not None
        if wants_owner and not request.user.can_manage:
            raise PermissionDenied("Only managers and admins may choose the owner.", field="owner")
        data = AssignInputSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        lead = services.assign_lead(lead, by=request.user, owner=data.validated_data.get("owner"))
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data)
