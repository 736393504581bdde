from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from leads import views as lead_views

urlpatterns = [
    path("", lead_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("leads/import/", include("leads.urls_import")),
    path("leads/", include("leads.urls")),
    path("accounts/", include("accounts.urls")),
    path("opportunities/", include("opportunities.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("crm.api_urls", "api"), namespace="api")),
]
