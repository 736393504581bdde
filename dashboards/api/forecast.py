"""`GET /api/v1/reports/forecast/`: quota against closed and expected deals per team and rep (definitions in
`dashboards.selectors.forecast`)."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.query_params import refuse_unknown_query_params
from core.replica import reads_replica
from dashboards.selectors import forecast as selectors
from opportunities.selectors import PERIODS
from users.models import Team, User


def _money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=16, decimal_places=2, **kwargs)


class ForecastChangeSerializer(serializers.Serializer):
    closed_won = _money()
    commit = _money()
    best_case = _money()
    pipeline = _money()
    weighted = _money()


class ForecastRowSerializer(serializers.Serializer):
    quota = _money(allow_null=True, help_text="Null when no quota is set for the period.")
    closed_won = _money()
    commit = _money(help_text="Open deals in the commit category (not cumulative).")
    best_case = _money()
    pipeline = _money()
    weighted = _money(help_text="Amount x probability of the open deals not omitted.")
    attainment = serializers.FloatField(allow_null=True, help_text="closed_won / quota (0-1 and beyond).")
    gap = _money(allow_null=True, help_text="quota - closed_won.")
    change = ForecastChangeSerializer(allow_null=True, help_text="Since last week's snapshot; null without one.")


class ForecastTeamSerializer(ForecastRowSerializer):
    team = serializers.IntegerField(source="team_id")
    team_name = serializers.CharField(source="team")


class ForecastRepSerializer(ForecastRowSerializer):
    rep = serializers.IntegerField(source="user_id")
    rep_name = serializers.CharField(source="rep")
    team = serializers.IntegerField(source="team_id", allow_null=True)


class SlippedDealSerializer(serializers.Serializer):
    opportunity = serializers.IntegerField(source="opportunity_id")
    name = serializers.CharField()
    owner = serializers.CharField()
    stage = serializers.CharField()
    amount = _money(allow_null=True)
    from_date = serializers.DateField(help_text="The close date inside the period.")
    to_date = serializers.DateField(allow_null=True, help_text="The later close date (null: cleared).")
    changed_at = serializers.DateTimeField()


class ForecastReportSerializer(serializers.Serializer):
    period = serializers.CharField(source="period.key")
    period_kind = serializers.CharField(source="period.kind")
    period_start = serializers.DateField(source="period.start")
    period_end = serializers.DateField(source="period.end")
    teams = ForecastTeamSerializer(many=True)
    reps = ForecastRepSerializer(many=True)
    total = ForecastRowSerializer()
    slipped = SlippedDealSerializer(many=True)


PARAMETERS = [
    OpenApiParameter("period", OpenApiTypes.STR, enum=[key for key, _ in PERIODS], description="Default this_month."),
    OpenApiParameter("team", OpenApiTypes.INT, description="Only this team's reps (a team you see)."),
    OpenApiParameter("owner", OpenApiTypes.INT, description="Only this rep (one you see)."),
]


class ForecastReportView(APIView):
    """The forecast of the reps the caller may see: a rep their own, a manager their teams', an admin all."""

    @extend_schema(
        operation_id="reports_forecast",
        description=selectors.__doc__,
        parameters=PARAMETERS,
        responses={
            200: ForecastReportSerializer,
            400: OpenApiResponse(description="An unknown parameter or a bad period or id, named."),
            404: OpenApiResponse(description="No team or rep with that id that you can see."),
        },
    )
    @reads_replica
    def get(self, request):
        refuse_unknown_query_params(request, ["period", "team", "owner"])
        try:
            filters = selectors.parse_forecast_filters(request.user, request.query_params)
        except selectors.ForecastFilterError as exc:
            raise ValidationError({exc.field: [exc.message]}) from None
        except (Team.DoesNotExist, User.DoesNotExist):
            raise NotFound("No team or rep with that id that you can see.") from None
        return Response(ForecastReportSerializer(selectors.get_forecast(request.user, filters)).data)
