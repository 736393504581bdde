"""The public open and click tracking URLs (short on purpose: they go into every tracked email)."""

from django.urls import path

from nurture import tracking_views

app_name = "tracking"

urlpatterns = [
    path("o/<str:token>", tracking_views.track_open, name="open"),
    path("c/<str:token>", tracking_views.track_click, name="click"),
]
