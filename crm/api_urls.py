"""The one DRF router under /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from crm.common.api import HealthView
from leads.api.imports import ImportJobViewSet
from leads.api.views import LeadViewSet

router = DefaultRouter()
router.register("leads", LeadViewSet, basename="lead")
router.register("imports", ImportJobViewSet, basename="import")

urlpatterns = [
    path("health/", HealthView.as_view(), name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # The report is a file: no trailing slash, unlike the router's routes.
    path("imports/<int:pk>/errors.csv", ImportJobViewSet.as_view({"get": "errors"}), name="import-errors"),
    path("", include(router.urls)),
]
