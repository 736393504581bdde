from django.urls import path

from dashboards import activity_views, campaign_views, digest_views, forecast_views, sla_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>.csv", views.export_csv, name="export"),
    path("export/<slug:table>.xlsx", views.export_xlsx, name="export-xlsx"),
    path("activity/", activity_views.activity_report, name="activity"),
    path("digest/unsubscribe/<str:token>/", digest_views.unsubscribe, name="digest-unsubscribe"),
    path("campaigns/", campaign_views.campaign_dashboard, name="campaigns"),
    path("sla/", sla_views.sla_report, name="sla"),
    path("sla/export/<slug:table>.csv", sla_views.sla_export, name="sla-export"),
    path("sla/export/<slug:table>.xlsx", sla_views.sla_export, {"extension": "xlsx"}, name="sla-export-xlsx"),
    path("forecast/", forecast_views.forecast_report, name="forecast"),
    path("forecast/export/<slug:table>.csv", forecast_views.forecast_export, name="forecast-export"),
    path(
        "forecast/export/<slug:table>.xlsx",
        forecast_views.forecast_export,
        {"extension": "xlsx"},
        name="forecast-export-xlsx",
    ),
    path("quotas/", forecast_views.quotas, name="quotas"),
    path("quotas/upload/", forecast_views.quotas_upload, name="quotas-upload"),
]
