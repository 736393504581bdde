from django.urls import path

from imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
    path("<int:pk>/", views.progress, name="progress"),
    path("<int:pk>/status.json", views.status, name="status"),
    path("<int:pk>/errors.csv", views.errors, name="errors"),
]
