from django.urls import path

from leads import board, views
from leads.inline import lead_inline

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("new/", views.lead_create, name="create"),
    path("bulk/", views.lead_bulk, name="bulk"),
    path("board/", board.lead_board, name="board"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/edit/", views.lead_edit, name="edit"),
    path("<int:pk>/inline/", lead_inline, name="inline"),
    path("<int:pk>/status/", views.lead_status, name="status"),
    path("<int:pk>/activities/", views.lead_log_activity, name="log_activity"),
    path("<int:pk>/qualification/", views.lead_qualification, name="qualification"),
]
