"""`GET /api/v1/reports/sla/`: the speed-to-lead report (definitions in `dashboards.selectors.sla`)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.query_params import refuse_unknown_query_params
from core.replica import reads_replica
from dashboards.selectors import sla as selectors
from users.models import Team


class SlaFiguresSerializer(serializers.Serializer):
    leads = serializers.IntegerField(help_text="Clocks started (leads assigned under a policy).")
    touched = serializers.IntegerField()
    decided = serializers.IntegerField(help_text="Touched, or past their target.")
    within = serializers.IntegerField(help_text="Touched by their due time.")
    share = serializers.FloatField(allow_null=True, help_text="within / decided (0-1); null when nothing is decided.")


class SlaGroupSerializer(SlaFiguresSerializer):
    median_minutes = serializers.FloatField(
        source="median", allow_null=True, help_text="Median business minutes to the first touch."
    )


class SlaRepSerializer(SlaGroupSerializer):
    rep = serializers.IntegerField(source="owner_id", allow_null=True)
    rep_name = serializers.CharField(source="rep")


class SlaSourceSerializer(SlaGroupSerializer):
    source = serializers.CharField()
    label = serializers.CharField(source="source_label")


class SlaWeekSerializer(SlaFiguresSerializer):
    week = serializers.DateField(help_text="The Monday starting the week (UTC).")


class SlaReportSerializer(serializers.Serializer):
    week_from = serializers.DateField()
    week_to = serializers.DateField()
    team = serializers.IntegerField(allow_null=True)
    by_rep = SlaRepSerializer(many=True)
    by_source = SlaSourceSerializer(many=True)
    by_week = SlaWeekSerializer(many=True)


PARAMETERS = [
    OpenApiParameter("from", OpenApiTypes.DATE, description="A day of the first week; 8 weeks back when omitted."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="A day of the last week (at most 53 weeks); this week."),
    OpenApiParameter("team", OpenApiTypes.INT, description="Only this team's reps (a team you see)."),
]


class SlaReportView(APIView):
    """Speed to lead over the clocks the caller may see: a rep their own, a manager their teams', an admin all."""

    @extend_schema(
        operation_id="reports_sla",
        description=selectors.__doc__,
        parameters=PARAMETERS,
        responses={
            200: SlaReportSerializer,
            400: OpenApiResponse(description="An unknown parameter or a bad date or range, named."),
            404: OpenApiResponse(description="No team with that id that you can see."),
        },
    )
    @reads_replica
    def get(self, request):
        refuse_unknown_query_params(request, ["from", "to", "team"])
        try:
            filters = selectors.parse_sla_filters(request.user, request.query_params)
        except selectors.SlaFilterError as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        except Team.DoesNotExist:
            raise NotFound("No team with that id that you can see.") from None
        report = selectors.get_sla_report(request.user, filters)
        data = {
            "week_from": filters.week_from,
            "week_to": filters.week_to,
            "team": filters.team.pk if filters.team else None,
            **report,
        }
        return Response(SlaReportSerializer(data).data)
