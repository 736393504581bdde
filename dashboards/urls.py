from django.urls import path

from dashboards import campaign_views, views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("export/<slug:table>.csv", views.export_csv, name="export"),
    path("campaigns/", campaign_views.campaign_dashboard, name="campaigns"),
]
