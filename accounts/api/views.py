from django_filters import rest_framework as filters

from accounts import services
from accounts.api.serializers import AccountSerializer
from accounts.models import Account
from core.filters import DateTimeFilter
from core.rows import RowReader
from core.viewsets import FunnelModelViewSet
from users.models import User


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
    list_rows = RowReader(AccountSerializer, {})
    filterset_class = AccountFilter
    search_fields = ["name", "domain", "website"]
    ordering_fields = ["created_at", "updated_at", "name"]
    ordering = ["-created_at"]
    create_service = services.create_account
    update_service = services.update_account
    delete_service = services.delete_account

    def get_queryset(self):
        return Account.objects.visible_to(self.request.user)
