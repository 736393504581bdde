from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from core.admin import FastModelAdmin
from users.models import ApiToken, SecurityEvent, Team, User
from users.services import deactivate_user


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "name", "email", "role", "team", "accepts_leads", "lead_capacity", "is_active"]
    list_filter = ["role", "team", "accepts_leads", "is_active"]
    search_fields = ["username", "name", "email", "first_name", "last_name"]
    autocomplete_fields = ["team"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Sales", {"fields": ["name", "role", "team", "accepts_leads", "lead_capacity"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Sales", {"fields": ["name", "email", "role", "team"]}),
    ]

    def save_model(self, request, obj, form, change):
        was_active = change and type(obj).objects.filter(pk=obj.pk, is_active=True).exists()
        super().save_model(request, obj, form, change)
        if was_active and not obj.is_active:
            # Deactivation ends the user's sessions and revokes their API tokens.
            deactivate_user(obj, by=request.user)


@admin.register(Team)
class TeamAdmin(FastModelAdmin):
    list_display = ["name", "manager"]
    search_fields = ["name"]
    autocomplete_fields = ["manager"]


@admin.register(ApiToken)
class ApiTokenAdmin(FastModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    raw_id_fields = ["user"]
    readonly_fields = ["prefix", "digest", "created_at", "last_used_at"]


@admin.register(SecurityEvent)
class SecurityEventAdmin(FastModelAdmin):
    list_display = ["created_at", "kind", "username", "user", "ip_address", "path", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "detail"]
    date_hierarchy = "created_at"
    readonly_fields = ["kind", "user", "username", "ip_address", "path", "detail", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
