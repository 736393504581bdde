"""The one DRF router under /api/v1/."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from accounts.api.views import AccountViewSet
from activities.api.attachments import AttachmentViewSet
from activities.api.views import ActivityViewSet, NotificationViewSet
from assignment.api.views import AssignmentRuleViewSet, LeadAssignViewSet, TerritoryViewSet
from campaigns.api.views import CampaignViewSet
from contacts.api.views import ContactViewSet
from conversion.api.views import LeadConversionViewSet
from core.api import HealthView
from dashboards.api.activity import ActivityReportView
from dashboards.api.campaigns import CampaignReportListView, CampaignReportViewSet
from dashboards.api.forecast import ForecastReportView
from dashboards.api.sla import SlaReportView
from dashboards.api.views import FunnelReportView
from imports.api.views import ImportJobViewSet
from integrations.webhooks.api.views import WebhookEndpointViewSet
from leads.api.views import LeadViewSet
from leads.api.web_to_lead import WebToLeadView
from nurture.api.inbound import InboundEmailView
from nurture.api.record_email import ContactEmailView, EmailTemplateViewSet, LeadEmailView
from nurture.api.views import EnrollmentViewSet, LeadEnrollView, SequenceViewSet
from opportunities.api.quotas import QuotaViewSet
from opportunities.api.views import OpportunityViewSet, StageViewSet
from privacy.api.views import PrivacyEraseView, PrivacyExportView
from scoring.api.views import ConversionModelView, GradeRuleViewSet, LeadScoreViewSet, ScoringRuleViewSet
from search.api.views import SearchView
from users.api.views import ApiTokenViewSet, ObtainTokenView, TeamViewSet, UserViewSet
from workspace.api.views import SavedViewViewSet

router = DefaultRouter()
# Lead actions of the apps above leads, under /leads/{id}/; before the lead viewset, which then names "leads" in
# the API root.
router.register("leads", LeadConversionViewSet, basename="lead-conversion")
router.register("leads", LeadAssignViewSet, basename="lead-assignment")
router.register("leads", LeadScoreViewSet, basename="lead-score")
router.register("leads", LeadViewSet, basename="lead")
router.register("scoring-rules", ScoringRuleViewSet, basename="scoring-rule")
router.register("scoring/grade-rules", GradeRuleViewSet, basename="grade-rule")
router.register("assignment-rules", AssignmentRuleViewSet, basename="assignment-rule")
router.register("territories", TerritoryViewSet, basename="territory")
router.register("accounts", AccountViewSet, basename="account")
router.register("contacts", ContactViewSet, basename="contact")
router.register("opportunities", OpportunityViewSet, basename="opportunity")
router.register("activities", ActivityViewSet, basename="activity")
router.register("notifications", NotificationViewSet, basename="notification")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("stages", StageViewSet, basename="stage")
router.register("quotas", QuotaViewSet, basename="quota")
router.register("users", UserViewSet, basename="user")
router.register("teams", TeamViewSet, basename="team")
router.register("api-tokens", ApiTokenViewSet, basename="api-token")
router.register("sequences", SequenceViewSet, basename="sequence")
router.register("enrollments", EnrollmentViewSet, basename="enrollment")
router.register("email-templates", EmailTemplateViewSet, basename="email-template")
router.register("imports", ImportJobViewSet, basename="import")
router.register("webhooks", WebhookEndpointViewSet, basename="webhook")
router.register("views", SavedViewViewSet, basename="saved-view")
# The report action (dashboards) before the campaign viewset, as with the lead actions.
router.register("campaigns", CampaignReportViewSet, basename="campaign-report")
router.register("campaigns", CampaignViewSet, basename="campaign")

urlpatterns = [
    path("health/", HealthView.as_view(), name="health"),
    path("auth/token/", ObtainTokenView.as_view(), name="auth-token"),
    path("web-to-lead/", WebToLeadView.as_view(), name="web-to-lead"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("reports/funnel/", FunnelReportView.as_view(), name="reports-funnel"),
    path("reports/activity/", ActivityReportView.as_view(), name="reports-activity"),
    path("reports/campaigns/", CampaignReportListView.as_view(), name="reports-campaigns"),
    path("reports/sla/", SlaReportView.as_view(), name="reports-sla"),
    path("reports/forecast/", ForecastReportView.as_view(), name="reports-forecast"),
    path("search/", SearchView.as_view(), name="search"),
    path("scoring/model/", ConversionModelView.as_view(), name="scoring-model"),
    path("privacy/export/", PrivacyExportView.as_view(), name="privacy-export"),
    path("privacy/erase/", PrivacyEraseView.as_view(), name="privacy-erase"),
    # Before the router, so the lead detail route can't shadow it; nurture owns it (leads can't import nurture).
    path("leads/<int:pk>/enroll/", LeadEnrollView.as_view(), name="lead-enroll"),
    # Email from a record, and the replies the mail provider posts back (nurture owns outbound and inbound email).
    path("leads/<int:pk>/email/", LeadEmailView.as_view(), name="lead-email"),
    path("contacts/<int:pk>/email/", ContactEmailView.as_view(), name="contact-email"),
    path("inbound-email/", InboundEmailView.as_view(), name="inbound-email"),
    # The report is a file: no trailing slash, unlike the router's routes.
    path("imports/<int:pk>/errors.csv", ImportJobViewSet.as_view({"get": "errors"}), name="import-errors"),
    path("", include(router.urls)),
]
