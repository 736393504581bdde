from django.contrib import admin

from accounts.models import Account
from accounts.services import create_account, delete_account, update_account
from core.admin import AdminServices, FastModelAdmin, ServiceModelAdmin


@admin.register(Account)
class AccountAdmin(ServiceModelAdmin, FastModelAdmin):
    """Accounts, written through `accounts.services`; the domain follows the website, as in the API."""

    services = AdminServices(create=create_account, update=update_account, delete=delete_account)
    list_display = ["name", "domain", "industry", "employees", "billing_country", "owner", "created_at"]
    list_filter = ["industry", "billing_country"]
    search_fields = ["name", "domain"]
    autocomplete_fields = ["owner", "parent"]
    readonly_fields = ["domain", "normalized_name", "created_at", "updated_at"]
    list_select_related = ["owner"]
