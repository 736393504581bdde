from django.urls import path

from nurture import record_email_views, views

app_name = "nurture"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("nurture/leads/<int:pk>/enroll/", views.enroll, name="enroll"),
    path("nurture/leads/enroll/", views.bulk_enroll, name="bulk_enroll"),
    # Email from a record: nurture owns outbound email, so its pages live here under the records' paths.
    path("leads/<int:pk>/email/", record_email_views.lead_email, name="lead_email"),
    path("contacts/<int:pk>/email/", record_email_views.contact_email, name="contact_email"),
]
