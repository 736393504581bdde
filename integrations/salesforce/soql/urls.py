"""The SOQL routes, included under /services/data/vXX.X/ (the `version` comes from the including pattern)."""

from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^query/?$", views.QueryView.as_view(), name="query"),
    re_path(r"^query/(?P<locator>[^/]+)/?$", views.QueryView.as_view(), name="query-more"),
    re_path(r"^queryAll/?$", views.QueryAllView.as_view(), name="query-all"),
    re_path(r"^queryAll/(?P<locator>[^/]+)/?$", views.QueryAllView.as_view(), name="query-all-more"),
]
