"""`GET /api/v1/campaigns/{id}/report/` and `GET /api/v1/reports/campaigns/`: campaign ROI under an attribution
model (definitions in `dashboards.selectors.campaigns`)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns.models import Campaign
from core.query_params import refuse_unknown_query_params
from core.replica import reads_replica
from core.viewsets import FunnelGenericViewSet
from dashboards.selectors import campaigns as selectors

ATTRIBUTION = OpenApiParameter(
    "attribution",
    OpenApiTypes.STR,
    enum=list(selectors.ATTRIBUTION_MODELS),
    description="Credit opportunities and revenue by this model only; all three when omitted.",
)
MONEY = {"max_digits": 16, "decimal_places": 2, "allow_null": True}


class AttributedSerializer(serializers.Serializer):
    opportunities = serializers.DecimalField(max_digits=12, decimal_places=2, help_text="Fractional under even split.")
    won_deals = serializers.DecimalField(max_digits=12, decimal_places=2)
    pipeline_amount = serializers.DecimalField(**MONEY, help_text="Open opportunities' amounts.")
    won_revenue = serializers.DecimalField(**MONEY)
    cost_per_won_deal = serializers.DecimalField(**MONEY)
    roi = serializers.DecimalField(
        max_digits=16, decimal_places=4, allow_null=True, help_text="(won revenue - actual cost) / actual cost."
    )


class CampaignSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="campaign.pk")
    name = serializers.CharField(source="campaign.name")
    type = serializers.CharField(source="campaign.type")
    status = serializers.CharField(source="campaign.status")
    parent = serializers.IntegerField(source="campaign.parent_id", allow_null=True)
    budgeted_cost = serializers.DecimalField(source="campaign.budgeted_cost", **MONEY)
    actual_cost = serializers.DecimalField(source="campaign.actual_cost", **MONEY)
    members = serializers.IntegerField()
    leads = serializers.IntegerField()
    responses = serializers.IntegerField()
    mqls = serializers.IntegerField()
    sqls = serializers.IntegerField()
    converted = serializers.IntegerField()
    cost_per_lead = serializers.DecimalField(**MONEY)
    cost_per_mql = serializers.DecimalField(**MONEY)
    attribution = serializers.DictField(
        child=AttributedSerializer(), help_text="Keyed by attribution model: first_touch, last_touch, even_split."
    )


class CampaignReportListSerializer(serializers.Serializer):
    results = CampaignSummarySerializer(many=True)


def _models(request) -> tuple[str, ...]:
    refuse_unknown_query_params(request, ["attribution"])
    model = request.query_params.get("attribution")
    if model is None:
        return selectors.ATTRIBUTION_MODELS
    if model not in selectors.ATTRIBUTION_MODELS:
        raise ValidationError({"attribution": [f"Pick one of: {', '.join(selectors.ATTRIBUTION_MODELS)}."]})
    return (model,)


BAD_PARAMETER = OpenApiResponse(description="An unknown query parameter or attribution model, named.")


class CampaignReportViewSet(FunnelGenericViewSet):
    """The report action of a campaign the caller can see, under `/api/v1/campaigns/{id}/`."""

    queryset = Campaign.objects.none()
    serializer_class = CampaignSummarySerializer
    filterset_class = None
    pagination_class = None

    def get_queryset(self):
        return Campaign.objects.visible_to(self.request.user).select_related("parent")

    @extend_schema(
        operation_id="campaigns_report",
        description=selectors.__doc__,
        parameters=[ATTRIBUTION],
        responses={200: CampaignSummarySerializer, 400: BAD_PARAMETER},
    )
    @action(detail=True, methods=["get"])
    @reads_replica
    def report(self, request, pk=None):
        models = _models(request)
        campaign = self.get_object()
        report = selectors.get_campaign_report(request.user, campaign, models=models)
        return Response(CampaignSummarySerializer(report).data)


class CampaignReportListView(APIView):
    """Every campaign the caller can see with its report figures, newest first."""

    @extend_schema(
        operation_id="reports_campaigns",
        description=selectors.__doc__,
        parameters=[ATTRIBUTION],
        responses={200: CampaignReportListSerializer, 400: BAD_PARAMETER},
    )
    @reads_replica
    def get(self, request):
        models = _models(request)
        reports = selectors.list_campaign_reports(request.user, models=models)
        return Response({"results": CampaignSummarySerializer(reports, many=True).data})
