"""The timeline in the admin: activities are written through `activities.services`; system events are shown only."""

from django.contrib import admin

from activities.models import Activity, Event
from activities.services import delete_activity, log_activity, update_activity
from core.admin import AdminServices, FastModelAdmin, ReadOnlyAdminMixin, ServiceModelAdmin


@admin.register(Activity)
class ActivityAdmin(ServiceModelAdmin, FastModelAdmin):
    """Activities, written through `activities.services`: the one who logs an activity owns it (the owner is not
    chosen here, as in the API), and a lead's last activity follows."""

    services = AdminServices(create=log_activity, update=update_activity, delete=delete_activity)
    list_display = ["subject", "kind", "owner", "due_at", "completed_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["subject"]
    raw_id_fields = ["lead", "contact", "account", "opportunity"]
    readonly_fields = ["owner", "created_at", "updated_at"]
    list_select_related = ["owner"]


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    """System events are the records' history: shown, never added, changed or deleted here."""

    list_display = ["summary", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["summary"]
    raw_id_fields = ["lead", "contact", "account", "opportunity", "actor"]
    list_select_related = ["actor"]
    readonly_fields = ["kind", "summary", "data", "actor", "created_at", "lead", "contact", "account", "opportunity"]
