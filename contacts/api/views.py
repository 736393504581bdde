from django_filters import rest_framework as filters

from accounts.models import Account
from contacts import services
from contacts.api.serializers import ContactSerializer
from contacts.models import Contact
from core.filters import DateTimeFilter
from core.rows import RowReader
from core.text import normalize_email
from core.viewsets import FunnelModelViewSet
from users.models import User


class ContactFilter(filters.FilterSet):
    owner = filters.ModelChoiceFilter(
        queryset=lambda request: User.objects.visible_to(request.user) if request else User.objects.none()
    )
    account = filters.ModelChoiceFilter(
        queryset=lambda request: Account.objects.visible_to(request.user) if request else Account.objects.none()
    )
    email = filters.CharFilter(method="filter_email")
    created_at__gte = DateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_at__lte = DateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = Contact
        fields = ["owner", "account", "email", "do_not_contact"]

    def filter_email(self, queryset, name, value):
        return queryset.filter(email=normalize_email(value))


class ContactViewSet(FunnelModelViewSet):
    """People at accounts the caller can see."""

    serializer_class = ContactSerializer
    list_rows = RowReader(ContactSerializer, {})
    filterset_class = ContactFilter
    search_fields = ["first_name", "last_name", "email"]
    ordering_fields = ["created_at", "updated_at", "last_name", "first_name", "email"]
    ordering = ["-created_at"]
    create_service = services.create_contact
    update_service = services.update_contact
    delete_service = services.delete_contact

    def get_queryset(self):
        return Contact.objects.visible_to(self.request.user)
