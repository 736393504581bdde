"""Scoring over the API: the `scoring-rules/` and `scoring/grade-rules/` resources, the `score` and `grade`
actions on leads, and the conversion model's quality (`scoring/model/`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from core.exceptions import NotFound
from core.serializers import ErrorSerializer
from core.viewsets import FunnelViewMixin, ServiceWritesMixin
from leads.api.views import LeadActionViewSet
from leads.models import Lead
from scoring import services
from scoring.models import ConversionModel, GradeRule, ScoringRule
from scoring.prediction_state import minimum_closed_leads
from scoring.rules import OPERATORS_BY_FIELD
from scoring.selectors import closed_leads_count, get_active_conversion_model


class CanConfigureScoring(permissions.BasePermission):
    message = "Only managers and admins may view or change scoring rules."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.can_manage)


class ScoringRuleSerializer(serializers.ModelSerializer):
    field = serializers.ChoiceField(choices=sorted(OPERATORS_BY_FIELD), help_text="The lead field the rule looks at.")

    class Meta:
        model = ScoringRule
        fields = ["id", *services.RULE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class GradeRuleSerializer(ScoringRuleSerializer):
    class Meta(ScoringRuleSerializer.Meta):
        model = GradeRule


class GradeThresholdsSerializer(serializers.Serializer):
    A = serializers.IntegerField()
    B = serializers.IntegerField()
    C = serializers.IntegerField()


class ScoreLineSerializer(serializers.Serializer):
    rule = serializers.CharField()
    points = serializers.IntegerField()


class LeadScoreSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=0, max_value=100)
    rating = serializers.ChoiceField(choices=Lead.Rating.choices)
    mql = serializers.BooleanField()
    breakdown = ScoreLineSerializer(many=True)


class LeadGradeSerializer(serializers.Serializer):
    grade = serializers.CharField(help_text="A (best) to D; blank when there are no active grade rules.")
    points = serializers.IntegerField(help_text="The profile points: the sum of the matching rules' points.")
    thresholds = GradeThresholdsSerializer(help_text="The points each grade needs (below C: D).")
    breakdown = ScoreLineSerializer(many=True)


_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="No credentials."),
    403: OpenApiResponse(ErrorSerializer, description="Reps may not configure scoring."),
}


@extend_schema_view(
    list=extend_schema(responses={200: ScoringRuleSerializer(many=True), **_ERRORS}),
    retrieve=extend_schema(responses={200: ScoringRuleSerializer, 404: ErrorSerializer, **_ERRORS}),
    create=extend_schema(
        responses={201: ScoringRuleSerializer, 400: OpenApiResponse(description="Invalid rule."), **_ERRORS}
    ),
    update=extend_schema(
        responses={
            200: ScoringRuleSerializer,
            400: OpenApiResponse(description="Invalid rule."),
            404: ErrorSerializer,
            **_ERRORS,
        }
    ),
    partial_update=extend_schema(
        responses={
            200: ScoringRuleSerializer,
            400: OpenApiResponse(description="Invalid rule."),
            404: ErrorSerializer,
            **_ERRORS,
        }
    ),
    destroy=extend_schema(responses={204: None, 404: ErrorSerializer, **_ERRORS}),
)
class ScoringRuleViewSet(FunnelViewMixin, ServiceWritesMixin, viewsets.ModelViewSet):
    """Fit rules of the lead score (admins and managers). Every change rescores all leads in the background."""

    serializer_class = ScoringRuleSerializer
    permission_classes = [CanConfigureScoring]
    filterset_fields = ["field", "operator", "active"]
    search_fields = ["name"]
    ordering_fields = ["created_at", "updated_at", "points", "name"]
    create_service = services.create_scoring_rule
    update_service = services.update_scoring_rule
    delete_service = services.delete_scoring_rule

    def get_queryset(self):
        return ScoringRule.objects.all()


_RULE_WRITE_ERRORS = {400: OpenApiResponse(description="Invalid rule."), 404: ErrorSerializer, **_ERRORS}


@extend_schema_view(
    list=extend_schema(responses={200: GradeRuleSerializer(many=True), **_ERRORS}),
    retrieve=extend_schema(responses={200: GradeRuleSerializer, 404: ErrorSerializer, **_ERRORS}),
    create=extend_schema(
        responses={201: GradeRuleSerializer, 400: OpenApiResponse(description="Invalid rule."), **_ERRORS}
    ),
    update=extend_schema(responses={200: GradeRuleSerializer, **_RULE_WRITE_ERRORS}),
    partial_update=extend_schema(responses={200: GradeRuleSerializer, **_RULE_WRITE_ERRORS}),
    destroy=extend_schema(responses={204: None, 404: ErrorSerializer, **_ERRORS}),
)
class GradeRuleViewSet(ScoringRuleViewSet):
    """Profile rules of the lead grade (admins and managers); fields and operators as for scoring rules. Every
    change regrades all leads in the background; the A/B/C thresholds are the `FUNNEL_GRADE_*` settings."""

    serializer_class = GradeRuleSerializer
    create_service = services.create_grade_rule
    update_service = services.update_grade_rule
    delete_service = services.delete_grade_rule

    def get_queryset(self):
        return GradeRule.objects.all()


class LeadScoreViewSet(LeadActionViewSet):
    """`GET /leads/{id}/score/`."""

    @extend_schema(
        summary="Explain a lead's score",
        request=None,
        responses={200: LeadScoreSerializer, 401: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["get"], url_path="score")
    def score(self, request, pk=None):
        """The lead's score computed now, its rating, whether it is an MQL, and the rules and engagement behind it."""
        lead = self.get_object()
        return Response(LeadScoreSerializer(services.explain_score(lead)).data)

    @extend_schema(
        summary="Explain a lead's grade",
        request=None,
        responses={200: LeadGradeSerializer, 401: ErrorSerializer, 404: ErrorSerializer},
    )
    @action(detail=True, methods=["get"], url_path="grade")
    def grade(self, request, pk=None):
        """The lead's grade computed now from the active grade rules, its profile points and the rules behind it."""
        lead = self.get_object()
        return Response(LeadGradeSerializer(services.explain_grade(lead)).data)


class CalibrationRowSerializer(serializers.Serializer):
    decile = serializers.IntegerField(help_text="1 (lowest predicted chance) to 10 (highest).")
    predicted = serializers.FloatField(help_text="Mean predicted chance of the decile's holdout leads (0 to 1).")
    actual = serializers.FloatField(help_text="Share of them that converted (0 to 1).")
    count = serializers.IntegerField(help_text="Holdout leads in the decile.")


class ConversionModelSerializer(serializers.ModelSerializer):
    trained_by = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="User id; null when trained by the schedule."
    )
    calibration = CalibrationRowSerializer(many=True, help_text="Predicted vs actual conversion per holdout decile.")
    auc = serializers.FloatField(allow_null=True, help_text="Holdout ROC AUC of the model (0.5 is chance).")
    rule_score_auc = serializers.FloatField(
        allow_null=True, help_text="Holdout ROC AUC of the rule score, for comparison."
    )
    lift_top_10 = serializers.FloatField(
        allow_null=True, help_text="Conversion rate of the top-ranked 10% of the holdout over the holdout's rate."
    )

    class Meta:
        model = ConversionModel
        fields = [
            "version",
            "trained_at",
            "trained_by",
            "training_size",
            "holdout_size",
            "closed_leads",
            "features",
            "auc",
            "rule_score_auc",
            "lift_top_10",
            "calibration",
            "is_better_than_chance",
            "quality_verdict",
        ]
        read_only_fields = fields


class NoConversionModel(NotFound):
    code = "no_conversion_model"
    default_detail = (
        "No conversion model has been trained yet: there are {have} closed leads and training needs {needed}."
    )


class ConversionModelView(FunnelViewMixin, APIView):
    """`GET /scoring/model/`: the active predictive conversion model and its holdout quality (managers and admins)."""

    permission_classes = [CanConfigureScoring]

    @extend_schema(
        summary="The active conversion model's quality",
        responses={
            200: ConversionModelSerializer,
            401: OpenApiResponse(ErrorSerializer, description="No credentials."),
            403: OpenApiResponse(ErrorSerializer, description="Reps may not see the conversion model."),
            404: OpenApiResponse(ErrorSerializer, description="`no_conversion_model`: none trained yet."),
        },
    )
    def get(self, request):
        """Version, training sizes, AUC against the rule score's, lift at the top 10% and calibration per decile."""
        model = get_active_conversion_model()
        if model is None:
            raise NoConversionModel(have=closed_leads_count(), needed=minimum_closed_leads())
        return Response(ConversionModelSerializer(model).data)
