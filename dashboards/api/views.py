"""`GET /api/v1/reports/funnel/`: the dashboard's funnel numbers for integrations and BI."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.query_params import refuse_invalid_form, refuse_unknown_query_params
from core.replica import reads_replica
from dashboards import selectors
from dashboards.filters import PRESETS, parse_filters
from leads.models import LeadSource


class FunnelStageSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=[key for key, _label in selectors.STAGES])
    label = serializers.CharField()
    count = serializers.IntegerField()
    step_conversion = serializers.FloatField(help_text="count / previous stage's count, rounded to 4 places.")
    overall_conversion = serializers.FloatField(help_text="count / leads, rounded to 4 places.")


class ConversionRowSerializer(serializers.Serializer):
    leads = serializers.IntegerField()
    mqls = serializers.IntegerField()
    sqls = serializers.IntegerField()
    converted = serializers.IntegerField()
    won = serializers.IntegerField()
    conversion_rate = serializers.FloatField(
        help_text="converted / leads as a float rounded to 4 places (0 when there are no leads)."
    )
    won_amount = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Sum of won deals' amounts.")


class SourceRowSerializer(ConversionRowSerializer):
    source = serializers.ChoiceField(choices=LeadSource.choices)
    label = serializers.CharField()


class OwnerRowSerializer(ConversionRowSerializer):
    owner = serializers.IntegerField(allow_null=True, help_text="User id; null for unassigned leads.")
    owner_name = serializers.CharField()


class PipelineRowSerializer(serializers.Serializer):
    stage = serializers.IntegerField(help_text="Stage id.")
    name = serializers.CharField()
    count = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    weighted_amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, help_text="sum of amount * probability / 100, rounded to cents."
    )


class SdrSourcedRowSerializer(serializers.Serializer):
    sdr = serializers.IntegerField(help_text="The SDR's user id (the opportunities' `sourced_by`).")
    sdr_name = serializers.CharField()
    deals = serializers.IntegerField()
    open_deals = serializers.IntegerField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2, help_text="Open deals' amount.")
    won_deals = serializers.IntegerField(help_text="Deals won with closed_at in the date range.")
    won_amount = serializers.DecimalField(max_digits=16, decimal_places=2)


class VelocityRowSerializer(serializers.Serializer):
    step = serializers.CharField()
    label = serializers.CharField()
    leads = serializers.IntegerField()
    avg_days = serializers.FloatField(allow_null=True)


class FunnelReportSerializer(serializers.Serializer):
    stages = FunnelStageSerializer(many=True)
    by_source = SourceRowSerializer(many=True)
    by_owner = OwnerRowSerializer(many=True)
    pipeline = PipelineRowSerializer(many=True, help_text="Open opportunities by stage; the date range does not apply.")
    sdr_sourced = SdrSourcedRowSerializer(many=True, help_text="Per SDR, the deals their leads became.")
    avg_days_to_convert = serializers.FloatField(
        allow_null=True, help_text="Mean days created → converted over converted leads (null when none)."
    )
    velocity = VelocityRowSerializer(many=True)


ERROR = inline_serializer("FunnelReportError", {"detail": serializers.CharField()})


PARAMETERS = [
    OpenApiParameter("created_after", OpenApiTypes.DATE, description="First creation day (inclusive)."),
    OpenApiParameter("created_before", OpenApiTypes.DATE, description="Last creation day (inclusive)."),
    OpenApiParameter(
        "preset",
        OpenApiTypes.STR,
        enum=[key for key, _label in PRESETS],
        description="Date range preset, used when neither date is given (default last_30).",
    ),
    OpenApiParameter("team", OpenApiTypes.INT, description="Team id (the lead owner's team)."),
    OpenApiParameter("owner", OpenApiTypes.INT, description="Owner's user id."),
    OpenApiParameter("source", OpenApiTypes.STR, enum=LeadSource.values),
]


class FunnelReportView(APIView):
    """The funnel of the leads the caller can see: managers their teams, admins everything, reps themselves."""

    @extend_schema(
        operation_id="reports_funnel",
        summary="Lead funnel, conversion by source and owner, open pipeline",
        description=selectors.__doc__,
        parameters=PARAMETERS,
        responses={
            200: FunnelReportSerializer,
            400: OpenApiResponse(
                description=(
                    "An unknown query parameter or a bad filter, named by field; also a team or owner the caller "
                    "may not see."
                )
            ),
            401: OpenApiResponse(ERROR, description="No credentials."),
            429: OpenApiResponse(ERROR, description="Throttled."),
        },
    )
    @reads_replica
    def get(self, request):
        # Like the lists: a typo'd filter (`sorce=webinar`) is a 400, not the unfiltered funnel.
        refuse_unknown_query_params(request, [parameter.name for parameter in PARAMETERS])
        filters, form = parse_filters(request.user, request.query_params)
        if filters is None:
            refuse_invalid_form(form)
        funnel = selectors.get_funnel(request.user, filters)
        body = {
            "stages": funnel["stages"],
            "by_source": funnel["by_source"],
            "by_owner": funnel["by_owner"],
            "pipeline": selectors.get_pipeline(request.user, filters)["by_stage"],
            "sdr_sourced": selectors.get_sdr_sourced(request.user, filters),
            "avg_days_to_convert": funnel["avg_days_to_convert"],
            "velocity": funnel["velocity"],
        }
        return Response(body)
