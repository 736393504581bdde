from django.urls import path

from workspace import views

app_name = "workspace"

urlpatterns = [
    path("", views.saved_view_list, name="list"),
    path("menu/", views.saved_view_menu, name="menu"),
    path("new/", views.saved_view_create, name="create"),
    path("<int:pk>/", views.saved_view_open, name="open"),
    path("<int:pk>/rename/", views.saved_view_rename, name="rename"),
    path("<int:pk>/delete/", views.saved_view_delete, name="delete"),
]
