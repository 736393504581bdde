from django.urls import path

from contacts import views
from contacts.inline import contact_inline

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("new/", views.contact_create, name="create"),
    path("autocomplete/", views.contact_autocomplete, name="autocomplete"),
    path("duplicates/", views.contact_duplicates, name="duplicates"),
    path("<int:pk>/", views.contact_detail, name="detail"),
    path("<int:pk>/edit/", views.contact_edit, name="edit"),
    path("<int:pk>/inline/", contact_inline, name="inline"),
    path("<int:pk>/activities/", views.contact_log_activity, name="log_activity"),
]
