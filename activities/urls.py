from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("<int:pk>/complete/", views.task_complete, name="complete"),
]

# Mounted at /notifications/ by crm/urls.py.
notification_patterns = [
    path("", views.notification_list, name="list"),
    path("menu/", views.notification_menu, name="menu"),
    path("<int:pk>/read/", views.notification_read, name="read"),
    path("read-all/", views.notifications_read_all, name="read_all"),
]
