"""`/api/v1/quotas/`: reps' quotas per month or quarter — managers for their teams, admins all, reps read their own."""

from __future__ import annotations

from django_filters import rest_framework as filters
from rest_framework import serializers

from core.serializers import VisiblePrimaryKeyRelatedField
from core.viewsets import FunnelModelViewSet
from opportunities import forecasting
from opportunities.models import PeriodKind, Quota
from users.models import User


class QuotaSerializer(serializers.ModelSerializer):
    user = VisiblePrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))

    class Meta:
        model = Quota
        fields = ["id", "user", "period", "period_start", "amount", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        extra_kwargs = {
            "amount": {"min_value": 0},
            "period_start": {"help_text": "The first day of the month or quarter."},
        }
        # One quota per user and period: a second one replaces the first (the service upserts).
        validators: list = []


class QuotaFilter(filters.FilterSet):
    user = filters.ModelChoiceFilter(
        queryset=lambda request: User.objects.visible_to(request.user) if request else User.objects.none()
    )
    period = filters.ChoiceFilter(choices=PeriodKind.choices)
    period_start = filters.DateFilter()
    period_start__gte = filters.DateFilter(field_name="period_start", lookup_expr="gte")
    period_start__lte = filters.DateFilter(field_name="period_start", lookup_expr="lte")

    class Meta:
        model = Quota
        fields = ["user", "period", "period_start"]


class QuotaViewSet(FunnelModelViewSet):
    """Quotas the caller can see. POST for a user and period that has one replaces its amount; reps get 403 on
    writes, a manager for a rep outside their teams too."""

    serializer_class = QuotaSerializer
    filterset_class = QuotaFilter
    ordering_fields = ["period_start", "amount"]
    ordering = ["-period_start"]
    create_service = forecasting.set_quota
    update_service = forecasting.update_quota
    delete_service = forecasting.delete_quota

    def get_queryset(self):
        return Quota.objects.visible_to(self.request.user).select_related("user")
