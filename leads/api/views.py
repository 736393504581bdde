from rest_framework import viewsets

from leads.api.serializers import LeadSerializer
from leads.models import Lead
from leads.services import capture as services


class LeadViewSet(viewsets.ModelViewSet):
    """Leads the caller can see. Converted leads are read-only (409 `lead_converted`)."""

    serializer_class = LeadSerializer
    filterset_fields = ["status", "source", "rating", "owner"]
    search_fields = ["first_name", "last_name", "email", "company"]
    ordering_fields = ["created_at", "updated_at", "score", "last_name"]

    def get_queryset(self):
        return Lead.objects.visible_to(self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.create_lead(by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.update_lead(
            serializer.instance, by=self.request.user, data=serializer.validated_data
        )
