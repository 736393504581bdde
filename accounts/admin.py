from django.contrib import admin

from accounts.models import Account
from crm.common.admin import FastModelAdmin


@admin.register(Account)
class AccountAdmin(FastModelAdmin):
    list_display = ["name", "domain", "industry", "employees", "billing_country", "owner", "created_at"]
    list_filter = ["industry", "billing_country"]
    search_fields = ["name", "domain"]
    autocomplete_fields = ["owner", "parent"]
    readonly_fields = ["normalized_name", "created_at", "updated_at"]
    list_select_related = ["owner"]
