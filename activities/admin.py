from django.contrib import admin

from activities.models import Activity, Event
from core.admin import FastModelAdmin


@admin.register(Activity)
class ActivityAdmin(FastModelAdmin):
    list_display = ["subject", "kind", "owner", "due_at", "completed_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["subject"]
    raw_id_fields = ["lead", "contact", "account", "opportunity", "owner"]
    list_select_related = ["owner"]


@admin.register(Event)
class EventAdmin(FastModelAdmin):
    list_display = ["summary", "kind", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["summary"]
    raw_id_fields = ["lead", "contact", "account", "opportunity", "actor"]
    list_select_related = ["actor"]
    readonly_fields = ["kind", "summary", "data", "actor", "created_at", "lead", "contact", "account", "opportunity"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
