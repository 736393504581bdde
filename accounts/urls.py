from django.urls import path

from accounts import views
from accounts.inline import account_inline

app_name = "accounts"

urlpatterns = [
    path("", views.account_list, name="list"),
    path("new/", views.account_create, name="create"),
    path("autocomplete/", views.account_autocomplete, name="autocomplete"),
    path("duplicates/", views.account_duplicates, name="duplicates"),
    path("<int:pk>/", views.account_detail, name="detail"),
    path("<int:pk>/edit/", views.account_edit, name="edit"),
    path("<int:pk>/inline/", account_inline, name="inline"),
    path("<int:pk>/activities/", views.account_log_activity, name="log_activity"),
]
