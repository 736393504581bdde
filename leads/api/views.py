from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.response import Response

from campaigns.selectors import annotate_campaign_touches
from core.api import error_body
from core.rows import Computed, RowReader
from core.viewsets import FunnelGenericViewSet, FunnelModelViewSet
from leads.api.filters import LeadFilter
from leads.api.serializers import LeadBulkInputSerializer, LeadBulkResultSerializer, LeadSerializer
from leads.exceptions import LeadConverted
from leads.models import Lead
from leads.services import capture as services
from leads.services.campaigns import create_lead_in_campaign, update_lead_in_campaign

# The list reads rows, not instances (core.rows): the same fields as LeadSerializer.
LEAD_ROWS = RowReader(
    LeadSerializer,
    {
        "first_touch_campaign": Computed(["first_touch_campaign_id"], lambda row: row["first_touch_campaign_id"]),
        "last_touch_campaign": Computed(["last_touch_campaign_id"], lambda row: row["last_touch_campaign_id"]),
        "conversion_reasons": Computed(["conversion_reasons"], lambda row: row["conversion_reasons"] or []),
    },
)

CONVERTED_409 = OpenApiResponse(description="`lead_converted`: converted leads are read-only.")


@extend_schema_view(
    update=extend_schema(responses={200: LeadSerializer, 409: CONVERTED_409}),
    partial_update=extend_schema(responses={200: LeadSerializer, 409: CONVERTED_409}),
    destroy=extend_schema(responses={204: None, 409: CONVERTED_409}),
)
class LeadViewSet(FunnelModelViewSet):
    """Leads the caller can see. Converted leads are read-only (409 `lead_converted`).

    A rep's new lead without `owner` is theirs; a manager's, admin's or integration's stays
    unassigned and goes to assignment. Only managers and admins may set `owner` (403 otherwise).
    """

    serializer_class = LeadSerializer
    list_rows = LEAD_ROWS
    filterset_class = LeadFilter
    search_fields = ["first_name", "last_name", "email", "company"]
    ordering_fields = [
        "created_at",
        "updated_at",
        "score",
        "grade",
        "last_name",
        "first_name",
        "company",
        "email",
        "status",
        "conversion_probability",
    ]
    ordering = ["-created_at"]
    create_service = create_lead_in_campaign
    update_service = update_lead_in_campaign
    delete_service = services.delete_lead

    def get_queryset(self):
        return annotate_campaign_touches(Lead.objects.visible_to(self.request.user))

    def update(self, request, *args, **kwargs):
        # A converted lead answers 409 whatever the body holds, before any field validation.
        lead = self.get_object()
        if lead.is_converted:
            raise LeadConverted(lead_id=lead.pk)
        return super().update(request, *args, **kwargs)

    @extend_schema(
        request=LeadBulkInputSerializer,
        responses={200: LeadBulkResultSerializer},
        description=(
            "Create or update up to 1000 leads matched by email among the leads you can see. Each row is "
            "saved on its own: valid rows are kept even when others fail; `errors` lists the failed rows "
            "by index with the same field messages a single create would give."
        ),
    )
    @action(detail=False, methods=["post"], url_path="bulk", filterset_class=None, pagination_class=None)
    def bulk(self, request):
        payload = LeadBulkInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rows, errors = [], []
        for index, raw in enumerate(payload.validated_data["leads"]):
            row = LeadSerializer(data=raw, partial=True, context=self.get_serializer_context())
            if row.is_valid():
                rows.append((index, row.validated_data))
            else:
                errors.append({"index": index, "errors": row.errors})
        result = services.upsert_leads(rows, by=request.user)
        errors += [{"index": index, "errors": error_body(exc)} for index, exc in result.failures]
        errors.sort(key=lambda error: error["index"])
        return Response({"created": result.created, "updated": result.updated, "errors": errors})


class LeadActionViewSet(FunnelGenericViewSet):
    """The base of the lead actions other apps add under `/leads/{id}/` (convert, assign, score …).

    They start from the same visible leads as the lead viewset; an app above leads subclasses this with its
    `@action`s and registers it on the router under the `leads` prefix.
    """

    serializer_class = LeadSerializer
    filterset_class = None
    pagination_class = None

    def get_queryset(self):
        return Lead.objects.visible_to(self.request.user)
