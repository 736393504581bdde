"""`/api/v1/campaigns/`: campaigns (read for everyone signed in, write for managers and admins) and their members."""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns import services
from campaigns.api.serializers import CampaignMemberSerializer, CampaignSerializer, MemberStatusSerializer
from campaigns.models import Campaign, CampaignMember
from core.viewsets import FunnelModelViewSet

MANAGERS_ONLY_403 = OpenApiResponse(description="`campaign_managers_only`: only managers and admins write campaigns.")


class CampaignFilter(filters.FilterSet):
    type = filters.ChoiceFilter(choices=Campaign.Type.choices)
    status = filters.ChoiceFilter(choices=Campaign.Status.choices)
    parent = filters.ModelChoiceFilter(queryset=Campaign.objects.all())

    class Meta:
        model = Campaign
        fields = ["type", "status", "parent"]


@extend_schema_view(
    create=extend_schema(responses={201: CampaignSerializer, 403: MANAGERS_ONLY_403}),
    update=extend_schema(responses={200: CampaignSerializer, 403: MANAGERS_ONLY_403}),
    partial_update=extend_schema(responses={200: CampaignSerializer, 403: MANAGERS_ONLY_403}),
    destroy=extend_schema(responses={204: None, 403: MANAGERS_ONLY_403}),
)
class CampaignViewSet(FunnelModelViewSet):
    """Campaigns: every signed-in user reads them; only managers and admins create, change or delete them (403
    `campaign_managers_only`). Members are listed only for the leads and contacts the caller can see."""

    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter
    search_fields = ["name"]
    ordering_fields = ["created_at", "updated_at", "name", "start_date"]
    ordering = ["-created_at"]
    create_service = services.create_campaign
    update_service = services.update_campaign
    delete_service = services.delete_campaign

    def get_queryset(self):
        return Campaign.objects.visible_to(self.request.user)

    def _members(self, campaign: Campaign):
        return CampaignMember.objects.visible_to(self.request.user).filter(campaign=campaign)

    @extend_schema(
        methods=["GET"],
        responses={200: CampaignMemberSerializer(many=True)},
        description="The members whose lead or contact you can see, newest first.",
    )
    @extend_schema(
        methods=["POST"],
        request=CampaignMemberSerializer,
        responses={201: CampaignMemberSerializer, 200: CampaignMemberSerializer},
        description=(
            "Add a lead or a contact (one of them) you can see; adding an existing member answers 200 with it, "
            "its status moved forward only."
        ),
    )
    @action(detail=True, methods=["get", "post"], filterset_class=None, ordering_fields=["created_at"])
    def members(self, request, pk=None):
        campaign = self.get_object()
        if request.method == "POST":
            payload = CampaignMemberSerializer(data=request.data, context=self.get_serializer_context())
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            member, created = services.add_campaign_member(
                campaign,
                by=request.user,
                lead=data.get("lead"),
                contact=data.get("contact"),
                status=data.get("status", CampaignMember.Status.SENT),
            )
            code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
            return Response(CampaignMemberSerializer(member).data, status=code)
        members = self.paginate_queryset(self._members(campaign).order_by("-created_at", "-id"))
        return self.get_paginated_response(CampaignMemberSerializer(members, many=True).data)

    @extend_schema(
        methods=["PATCH"],
        request=MemberStatusSerializer,
        responses={200: CampaignMemberSerializer},
        description="Set a member's status by hand.",
    )
    @extend_schema(methods=["DELETE"], responses={204: None}, description="Remove a member.")
    @action(
        detail=True,
        methods=["patch", "delete"],
        url_path=r"members/(?P<member_id>\d+)",
        filterset_class=None,
        pagination_class=None,
    )
    def member(self, request, pk=None, member_id=None):
        member = get_object_or_404(self._members(self.get_object()), pk=member_id)
        if request.method == "DELETE":
            services.remove_campaign_member(member, by=request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        payload = MemberStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        member = services.set_member_status(member, status=payload.validated_data["status"], by=request.user)
        return Response(CampaignMemberSerializer(member).data)
