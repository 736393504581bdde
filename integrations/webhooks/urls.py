from django.urls import path

from integrations.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("new/", views.endpoint_create, name="create"),
    path("<int:pk>/", views.endpoint_detail, name="detail"),
    path("<int:pk>/edit/", views.endpoint_edit, name="edit"),
    path("<int:pk>/rotate-secret/", views.endpoint_rotate, name="rotate"),
    path("<int:pk>/replay/", views.endpoint_replay, name="replay"),
    path("<int:pk>/delete/", views.endpoint_delete, name="delete"),
]
