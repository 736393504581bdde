from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from activities import services
from activities.api.serializers import ActivitySerializer, NotificationSerializer
from activities.models import Activity, Notification
from core.filters import DateTimeFilter, IntegerFilter
from core.serializers import ErrorSerializer
from core.viewsets import FunnelModelViewSet, FunnelReadOnlyViewSet


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


NOTIFICATION_ERRORS = {
    401: OpenApiResponse(ErrorSerializer, description="Not signed in."),
    404: OpenApiResponse(ErrorSerializer, description="No such notification of yours."),
}


class NotificationFilter(filters.FilterSet):
    unread = filters.BooleanFilter(field_name="read_at", lookup_expr="isnull")

    class Meta:
        model = Notification
        fields = ["kind"]


@extend_schema_view(
    list=extend_schema(
        summary="Your notifications, newest first",
        responses={200: NotificationSerializer(many=True), **NOTIFICATION_ERRORS},
    ),
    retrieve=extend_schema(
        summary="One of your notifications", responses={200: NotificationSerializer, **NOTIFICATION_ERRORS}
    ),
)
class NotificationViewSet(FunnelReadOnlyViewSet):
    """The caller's own notifications (task reminders, …); anyone else's answers 404."""

    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    search_fields: list[str] = []
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user)

    @extend_schema(
        summary="Mark a notification read", request=None, responses={200: NotificationSerializer, **NOTIFICATION_ERRORS}
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = services.mark_notification_read(self.get_object(), by=request.user)
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary="Mark all your notifications read",
        request=None,
        responses={200: inline_serializer("ReadAll", {"marked": serializers.IntegerField()}), **NOTIFICATION_ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        return Response({"marked": services.mark_all_notifications_read(by=request.user)})
