from django.urls import path

from activities import views

app_name = "activities"

urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("<int:pk>/complete/", views.task_complete, name="complete"),
]
