from django_filters import rest_framework as filters

from activities import services
from activities.api.serializers import ActivitySerializer
from activities.models import Activity
from core.filters import DateTimeFilter, IntegerFilter
from core.viewsets import FunnelModelViewSet


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
    create_service = services.log_activity
    update_service = services.update_activity
    delete_service = services.delete_activity

    def get_queryset(self):
        return Activity.objects.visible_to(self.request.user)
