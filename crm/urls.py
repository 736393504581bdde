from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from activities import urls as activity_urls
from activities import views as activity_views
from core import views as core_views
from leads import views as lead_views

urlpatterns = [
    path("", lead_views.home, name="home"),
    path("favicon.ico", core_views.favicon),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("", include("users.urls", namespace="users")),
    path("leads/import/", include("imports.urls")),
    path("leads/", include("leads.urls", namespace="leads")),
    path("leads/", include("conversion.urls", namespace="conversion")),
    path("accounts/", include("accounts.urls", namespace="accounts")),
    path("contacts/", include("contacts.urls", namespace="contacts")),
    path("opportunities/", include("opportunities.urls", namespace="opportunities")),
    path("campaigns/", include("campaigns.urls", namespace="campaigns")),
    path("tasks/", include("activities.urls", namespace="activities")),
    path("calendar/", activity_views.week_calendar, name="calendar"),
    path("notifications/", include((activity_urls.notification_patterns, "notifications"))),
    path("attachments/", include("activities.attachment_urls", namespace="attachments")),
    path("search/", include("search.urls", namespace="search")),
    path("dashboard/", include("dashboards.urls")),
    path("scoring/", include("scoring.urls", namespace="scoring")),
    path("views/", include("workspace.urls")),
    path("integrations/webhooks/", include("integrations.webhooks.urls", namespace="webhooks")),
    path("services/", include("integrations.salesforce.urls", namespace="salesforce")),
    path("admin/", admin.site.urls),
    path("", include("nurture.urls")),
    path("t/", include("nurture.tracking_urls", namespace="tracking")),
    path("api/v1/", include(("crm.api_urls", "api"), namespace="api")),
]

handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.middleware.server_error"
