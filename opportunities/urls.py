from django.urls import path

from opportunities import views
from opportunities.inline import opportunity_inline

app_name = "opportunities"

urlpatterns = [
    path("", views.opportunity_list, name="list"),
    path("new/", views.opportunity_create, name="create"),
    path("board/", views.pipeline_board, name="board"),
    path("<int:pk>/", views.opportunity_detail, name="detail"),
    path("<int:pk>/edit/", views.opportunity_edit, name="edit"),
    path("<int:pk>/inline/", opportunity_inline, name="inline"),
    path("<int:pk>/stage/", views.opportunity_move, name="move"),
    path("<int:pk>/forecast/", views.opportunity_forecast, name="forecast"),
    path("<int:pk>/activities/", views.opportunity_log_activity, name="log_activity"),
]
