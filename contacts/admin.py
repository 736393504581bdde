from django.contrib import admin

from contacts.models import AccountContactRelation, Contact
from crm.common.admin import FastModelAdmin


class AccountContactRelationInline(admin.TabularInline):
    model = AccountContactRelation
    extra = 0
    autocomplete_fields = ["account"]


@admin.register(Contact)
class ContactAdmin(FastModelAdmin):
    list_display = ["__str__", "email", "account", "title", "owner", "do_not_contact", "created_at"]
    list_filter = ["do_not_contact", "lead_source"]
    search_fields = ["first_name", "last_name", "email"]
    autocomplete_fields = ["owner", "account"]
    list_select_related = ["owner", "account"]
    inlines = [AccountContactRelationInline]


@admin.register(AccountContactRelation)
class AccountContactRelationAdmin(FastModelAdmin):
    list_display = ["contact", "account", "role", "is_primary"]
    raw_id_fields = ["contact", "account"]
    list_select_related = ["contact", "account"]
