from django_filters import rest_framework as filters

from accounts.models import Account
from contacts import services
from contacts.api.serializers import ContactSerializer
from contacts.models import Contact
from crm.common.filters import DateTimeFilter
from crm.common.text import normalize_email
from crm.common.viewsets import FunnelModelViewSet
from crm.users.models import User


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
    filterset_class = ContactFilter
    search_fields = ["first_name", "last_name", "email"]
    ordering_fields = ["created_at", "updated_at", "last_name", "first_name", "email"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return Contact.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_contact(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_contact(
            serializer.instance, by=self.request.user, data=serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.delete_contact(instance, by=self.request.user)
