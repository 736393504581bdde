from django.contrib import admin

from contacts.models import AccountContactRelation, Contact
from contacts.services import create_contact, delete_contact, update_contact
from core.admin import AdminServices, FastModelAdmin, ReadOnlyAdminMixin, ServiceModelAdmin


class AccountContactRelationInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Shown only: the contact's services keep the primary relation in step with its account."""

    model = AccountContactRelation
    extra = 0
    fields = ["account", "role", "is_primary", "created_at"]
    readonly_fields = fields


@admin.register(Contact)
class ContactAdmin(ServiceModelAdmin, FastModelAdmin):
    services = AdminServices(create=create_contact, update=update_contact, delete=delete_contact)
    list_display = ["__str__", "email", "account", "title", "owner", "do_not_contact", "created_at"]
    list_filter = ["do_not_contact", "lead_source"]
    search_fields = ["first_name", "last_name", "email"]
    autocomplete_fields = ["owner", "account"]
    list_select_related = ["owner", "account"]
    inlines = [AccountContactRelationInline]


@admin.register(AccountContactRelation)
class AccountContactRelationAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    list_display = ["contact", "account", "role", "is_primary"]
    raw_id_fields = ["contact", "account"]
    list_select_related = ["contact", "account"]
