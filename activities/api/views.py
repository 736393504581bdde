from django_filters import rest_framework as filters

from activities import services
from activities.api.serializers import ActivitySerializer
from activities.models import Activity
from crm.common.filters import DateTimeFilter, IntegerFilter
from crm.common.viewsets import FunnelModelViewSet


class ActivityFilter(filters.FilterSet):
    lead = IntegerFilter(field_name="lead_id")
    contact = IntegerFilter(field_name="contact_id")
    account = IntegerFilter(field_name="account_id")
    opportunity = IntegerFilter(field_name="opportunity_id")
    kind = filters.ChoiceFilter(choices=Activity.Kind.choices)
    owner = IntegerFilter(field_name="owner_id")
    completed = filters.BooleanFilter(field_name="completed_at", lookup_expr="isnull", exclude=True)
    due_at__lte = DateTimeFilter(field_name="due_at", lookup_expr="lte")
    due_at__gte = DateTimeFilter(field_name="due_at", lookup_expr="gte")

    class Meta:
        model = Activity
        fields = ["lead", "contact", "account", "opportunity", "kind", "owner"]


class ActivityViewSet(FunnelModelViewSet):
    """Notes, calls, emails, meetings and tasks on records the caller can see; the record must be visible."""

    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    search_fields = ["subject"]
    ordering_fields = ["created_at", "updated_at"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return Activity.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.log_activity(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_activity(
            serializer.instance, by=self.request.user, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_activity(instance, by=self.request.user)
