"""The product's URLs plus the benchmark's baselines: authenticated API endpoints that do nothing or one INSERT."""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

from leads.models import Lead

# What the plain-INSERT baseline copies from the body: the lead capture figure's payload.
PLAIN_LEAD_FIELDS = ("first_name", "last_name", "email", "company", "title", "country", "source")


class NoopView(APIView):
    """Authenticate and authorise exactly like the API (token, IsAuthenticated), then answer `{}`."""

    def get(self, request):
        return Response({})


class PlainInsertView(APIView):
    """Authenticate like the API, then INSERT the posted lead as it is: no validation, history, events or rules."""

    def post(self, request):
        lead = Lead.objects.create(**{name: request.data[name] for name in PLAIN_LEAD_FIELDS if name in request.data})
        return Response({"id": lead.pk}, status=201)


urlpatterns = [
    path("bench/noop/", NoopView.as_view(), name="bench-noop"),
    path("bench/plain-insert/", PlainInsertView.as_view(), name="bench-plain-insert"),
    path("", include("crm.urls")),
]
