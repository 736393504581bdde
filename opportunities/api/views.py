from django_filters import rest_framework as filters

from accounts.models import Account
from crm.common.filters import DateTimeFilter
from crm.common.permissions import IsAdminOrReadOnly
from crm.common.viewsets import FunnelModelViewSet
from crm.users.models import User
from opportunities import services
from opportunities.api.serializers import OpportunitySerializer, StageSerializer
from opportunities.models import ForecastCategory, Opportunity, Stage


class OpportunityFilter(filters.FilterSet):
    owner = filters.ModelChoiceFilter(
        queryset=lambda request: User.objects.visible_to(request.user) if request else User.objects.none()
    )
    account = filters.ModelChoiceFilter(
        queryset=lambda request: Account.objects.visible_to(request.user) if request else Account.objects.none()
    )
    stage = filters.ModelChoiceFilter(queryset=Stage.objects.all())
    forecast_category = filters.ChoiceFilter(choices=ForecastCategory.choices)
    is_closed = filters.BooleanFilter(field_name="stage__is_closed")
    is_won = filters.BooleanFilter(field_name="stage__is_won")
    close_date__gte = filters.DateFilter(field_name="close_date", lookup_expr="gte")
    close_date__lte = filters.DateFilter(field_name="close_date", lookup_expr="lte")
    created_at__gte = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_at__lte = DateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = Opportunity
        fields = ["owner", "account", "stage", "forecast_category"]


class OpportunityViewSet(FunnelModelViewSet):
    """Deals the caller can see. `stage` is a stage id; `is_closed`/`is_won` follow the stage."""

    serializer_class = OpportunitySerializer
    filterset_class = OpportunityFilter
    search_fields = ["name", "account__name"]
    ordering_fields = ["created_at", "updated_at", "name"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return Opportunity.objects.visible_to(self.request.user).select_related("stage")

    def perform_create(self, serializer):
        serializer.instance = services.create_opportunity(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_opportunity(
            serializer.instance, by=self.request.user, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_opportunity(instance, by=self.request.user)


class StageViewSet(FunnelModelViewSet):
    """Pipeline stages: everyone reads, admins write (403 for others); a stage in use can't be deleted (409)."""

    serializer_class = StageSerializer
    permission_classes = [IsAdminOrReadOnly]
    filter_backends: list = []
    ordering = ["order"]

    def get_queryset(self):
        return Stage.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_stage(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_stage(
            serializer.instance, by=self.request.user, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_stage(instance, by=self.request.user)
