from django.urls import path

from nurture import views

app_name = "nurture"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("nurture/leads/<int:pk>/enroll/", views.enroll, name="enroll"),
    path("nurture/leads/enroll/", views.bulk_enroll, name="bulk_enroll"),
]
