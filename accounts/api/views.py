from django_filters import rest_framework as filters

from accounts import services
from accounts.api.serializers import AccountSerializer
from accounts.models import Account
from crm.common.filters import DateTimeFilter
from crm.common.viewsets import FunnelModelViewSet
from crm.users.models import User


class AccountFilter(filters.FilterSet):
    owner = filters.ModelChoiceFilter(
        queryset=lambda request: User.objects.visible_to(request.user) if request else User.objects.none()
    )
    domain = filters.CharFilter()
    industry = filters.CharFilter(lookup_expr="iexact")
    created_at__gte = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_at__lte = DateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = Account
        fields = ["owner", "domain", "industry"]


class AccountViewSet(FunnelModelViewSet):
    """Customer companies the caller can see. Deleting one that still has contacts or deals is a 409."""

    serializer_class = AccountSerializer
    filterset_class = AccountFilter
    search_fields = ["name", "domain", "website"]
    ordering_fields = ["created_at", "updated_at", "name"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return Account.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_account(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_account(
            serializer.instance, by=self.request.user, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_account(instance, by=self.request.user)
