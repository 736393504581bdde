from django_filters import rest_framework as filters

from accounts.models import Account
from core.filters import DateTimeFilter
from core.permissions import IsAdminOrReadOnly
from core.rows import Computed, RowReader
from core.viewsets import FunnelModelViewSet
from opportunities import services
from opportunities.api.serializers import OpportunitySerializer, StageSerializer
from opportunities.models import ForecastCategory, Opportunity, Stage
from users.models import User


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
    list_rows = RowReader(
        OpportunitySerializer,
        {
            "is_closed": Computed(["stage__is_closed"], lambda row: row["stage__is_closed"]),
            "is_won": Computed(["stage__is_won"], lambda row: row["stage__is_won"]),
        },
    )
    filterset_class = OpportunityFilter
    search_fields = ["name", "account__name"]
    ordering_fields = ["created_at", "updated_at", "name"]
    ordering = ["-created_at"]
    create_service = services.create_opportunity
    update_service = services.update_opportunity
    delete_service = services.delete_opportunity

    def get_queryset(self):
        return Opportunity.objects.visible_to(self.request.user).select_related("stage")


class StageViewSet(FunnelModelViewSet):
    """Pipeline stages: everyone reads, admins write (403 for others); a stage in use can't be deleted (409)."""

    serializer_class = StageSerializer
    permission_classes = [IsAdminOrReadOnly]
    filter_backends: list = []
    ordering = ["order"]
    create_service = services.create_stage
    update_service = services.update_stage
    delete_service = services.delete_stage

    def get_queryset(self):
        return Stage.objects.visible_to(self.request.user)
