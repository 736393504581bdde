"""`GET /api/v1/reports/activity/`: the activity report's numbers for integrations and BI."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from core.query_params import refuse_invalid_form, refuse_unknown_query_params
from core.replica import reads_replica
from dashboards.api.views import ERROR
from dashboards.filters import PRESETS, parse_filters
from dashboards.selectors import activity


def _with_counters(name: str, fields: dict[str, serializers.Field]) -> type[serializers.Serializer]:
    """Return a serializer with `fields` followed by one integer field per activity counter."""
    counters = {key: serializers.IntegerField(help_text=label) for key, label in activity.COUNTERS}
    return type(name, (serializers.Serializer,), {**fields, **counters})


ActivityRowSerializer = _with_counters(
    "ActivityRowSerializer",
    {
        "rep": serializers.IntegerField(help_text="The rep's user id."),
        "rep_name": serializers.CharField(),
        "period": serializers.DateField(help_text="First day of the day or week (weeks start on Monday)."),
    },
)
LeaderboardRowSerializer = _with_counters(
    "LeaderboardRowSerializer",
    {
        "rank": serializers.IntegerField(),
        "rep": serializers.IntegerField(help_text="The rep's user id."),
        "rep_name": serializers.CharField(),
        "score": serializers.IntegerField(help_text="10 x converted + 3 x meetings + 2 x connected calls + 1 x rest."),
    },
)
TrendRowSerializer = _with_counters(
    "TrendRowSerializer", {"week": serializers.DateField(help_text="The Monday the week starts on.")}
)


class ActivityReportSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=activity.PERIODS)
    sort = serializers.ChoiceField(choices=activity.SORT_KEYS)
    rows = ActivityRowSerializer(many=True, help_text="One row per rep and period with any activity.")
    leaderboard = LeaderboardRowSerializer(many=True, help_text="Every rep in scope, ranked by `sort`.")
    trend = TrendRowSerializer(many=True, help_text="Totals per week over every rep in scope.")
    totals = serializers.DictField(child=serializers.IntegerField())


PARAMETERS = [
    OpenApiParameter("created_after", OpenApiTypes.DATE, description="First day of activity (inclusive)."),
    OpenApiParameter("created_before", OpenApiTypes.DATE, description="Last day of activity (inclusive)."),
    OpenApiParameter(
        "preset",
        OpenApiTypes.STR,
        enum=[key for key, _label in PRESETS],
        description="Date range preset, used when neither date is given (default last_30).",
    ),
    OpenApiParameter("team", OpenApiTypes.INT, description="Team id (the reps' team)."),
    OpenApiParameter("owner", OpenApiTypes.INT, description="One rep's user id."),
    OpenApiParameter("period", OpenApiTypes.STR, enum=list(activity.PERIODS), description="Rows per day or week."),
    OpenApiParameter(
        "sort", OpenApiTypes.STR, enum=list(activity.SORT_KEYS), description="Leaderboard order (default score)."
    ),
]


class ActivityReportView(APIView):
    """Activity per rep: managers see their teams, admins everyone, reps themselves."""

    @extend_schema(
        operation_id="reports_activity",
        summary="Calls, emails, meetings, tasks and leads worked per rep; leaderboard and weekly trend",
        description=activity.__doc__,
        parameters=PARAMETERS,
        responses={
            200: ActivityReportSerializer,
            400: OpenApiResponse(
                description="An unknown query parameter or a bad filter, named by field; also a team or rep the "
                "caller may not see."
            ),
            401: OpenApiResponse(ERROR, description="No credentials."),
            429: OpenApiResponse(ERROR, description="Throttled."),
        },
    )
    @reads_replica
    def get(self, request):
        refuse_unknown_query_params(request, [parameter.name for parameter in PARAMETERS])
        filters, form = parse_filters(request.user, request.query_params)
        if filters is None:
            refuse_invalid_form(form)
        try:
            options = activity.parse_activity_options(request.query_params)
        except ValueError as error:
            field, _sep, message = str(error).partition(": ")
            raise ValidationError({field: [message]}) from error
        return Response(activity.get_activity_report(request.user, filters, **options))
