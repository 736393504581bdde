"""The one DRF router under /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from crm.common.api import HealthView
from leads.api.views import LeadViewSet
from nurture.api.views import EnrollmentViewSet, LeadEnrollView, SequenceViewSet

router = DefaultRouter()
router.register("leads", LeadViewSet, basename="lead")
router.register("sequences", SequenceViewSet, basename="sequence")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")

urlpatterns = [
    path("health/", HealthView.as_view(), name="health"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    # Before the router, so the lead detail route can't shadow it; nurture owns it (leads can't import nurture).
    path("leads/<int:pk>/enroll/", LeadEnrollView.as_view(), name="lead-enroll"),
    path("", include(router.urls)),
]
