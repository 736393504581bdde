from django.urls import path

from activities import attachment_views

app_name = "attachments"

urlpatterns = [
    path("<str:record_name>/<int:pk>/", attachment_views.upload, name="upload"),
    path("<int:pk>/download/", attachment_views.download, name="download"),
    path("<int:pk>/delete/", attachment_views.delete, name="delete"),
]
