from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from core.serializers import ErrorSerializer
from core.viewsets import FunnelViewMixin, SafeQueryMixin, ServiceWritesMixin
from leads.models import Lead
from nurture.api.serializers import EnrollInputSerializer, EnrollmentSerializer, SequenceSerializer
from nurture.models import Delivery, Enrollment, Sequence, Step
from nurture.services import enrollment as enrollment_services
from nurture.services import sequences as sequence_services


class CanConfigureNurture(permissions.BasePermission):
    message = "Only managers and admins configure nurture."

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and request.user.can_manage)


@extend_schema_view(
    list=extend_schema(responses={200: SequenceSerializer(many=True)}),
    retrieve=extend_schema(responses={200: SequenceSerializer}),
    create=extend_schema(responses={201: SequenceSerializer}),
    update=extend_schema(responses={200: SequenceSerializer, 409: ErrorSerializer}),
    partial_update=extend_schema(responses={200: SequenceSerializer, 409: ErrorSerializer}),
    destroy=extend_schema(responses={204: None, 409: ErrorSerializer}),
)
class SequenceViewSet(FunnelViewMixin, ServiceWritesMixin, viewsets.ModelViewSet):
    """Nurture sequences with their ordered `steps` (admins and managers)."""

    serializer_class = SequenceSerializer
    permission_classes = [CanConfigureNurture]
    filterset_fields = ["active", "trigger"]
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]
    create_service = sequence_services.create_sequence
    update_service = sequence_services.update_sequence
    delete_service = sequence_services.delete_sequence

    def get_queryset(self):
        return Sequence.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("steps", queryset=Step.objects.order_by("order", "id"))
        )


class EnrollmentFilter(filters.FilterSet):
    class Meta:
        model = Enrollment
        fields = ["lead", "sequence", "status"]


@extend_schema_view(
    list=extend_schema(responses={200: EnrollmentSerializer(many=True)}),
    retrieve=extend_schema(responses={200: EnrollmentSerializer}),
)
class EnrollmentViewSet(SafeQueryMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Nurture enrollments of the leads the caller can see, with their deliveries."""

    serializer_class = EnrollmentSerializer
    filterset_class = EnrollmentFilter
    ordering_fields = ["created_at", "next_send_at"]

    def get_queryset(self):
        return Enrollment.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("deliveries", queryset=Delivery.objects.order_by("created_at", "id"))
        )


class LeadEnrollView(FunnelViewMixin, APIView):
    """`POST /api/v1/leads/{id}/enroll/`: enrol a visible lead in a sequence by hand."""

    @extend_schema(
        request=EnrollInputSerializer,
        responses={201: EnrollmentSerializer, 409: ErrorSerializer},
        tags=["leads"],
    )
    def post(self, request, pk: int):
        lead = get_object_or_404(Lead.objects.visible_to(request.user), pk=pk)
        serializer = EnrollInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        enrollment = enrollment_services.enroll_lead(
            lead, sequence=serializer.validated_data["sequence"], by=request.user
        )
        return Response(EnrollmentSerializer(enrollment).data, status=status.HTTP_201_CREATED)
