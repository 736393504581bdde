from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from crm.common.admin import FastModelAdmin
from crm.users.models import ApiToken, Team, User


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
