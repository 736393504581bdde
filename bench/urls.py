"""The product's URLs plus the benchmark's baseline: an authenticated API endpoint that does nothing."""

from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView


class NoopView(APIView):
    """Authenticate and authorise exactly like the API (token, IsAuthenticated), then answer `{}`."""

    def get(self, request):
        return Response({})


urlpatterns = [
    path("bench/noop/", NoopView.as_view(), name="bench-noop"),
    path("", include("crm.urls")),
]
