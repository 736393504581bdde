"""Everything under /services/ (the Salesforce-compatible API)."""

from django.urls import path  # noqa: F401

app_name = "salesforce"

urlpatterns: list = []
