from django.contrib import admin

from campaigns.models import Campaign, CampaignMember
from campaigns.services import create_campaign, delete_campaign, update_campaign
from core.admin import AdminServices, FastModelAdmin, ReadOnlyAdminMixin, ServiceModelAdmin


@admin.register(Campaign)
class CampaignAdmin(ServiceModelAdmin, FastModelAdmin):
    """Campaigns, written through `campaigns.services` (managers and admins only, as in the API)."""

    services = AdminServices(create=create_campaign, update=update_campaign, delete=delete_campaign)
    list_display = ["name", "type", "status", "start_date", "end_date", "budgeted_cost", "actual_cost", "owner"]
    list_filter = ["type", "status"]
    search_fields = ["name"]
    autocomplete_fields = ["owner", "parent"]
    readonly_fields = ["created_at", "updated_at"]
    list_select_related = ["owner"]


@admin.register(CampaignMember)
class CampaignMemberAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    """Members, read-only: they are added through the API, web forms, imports and nurture (campaigns.services)."""

    list_display = ["campaign", "lead", "contact", "status", "first_responded_at", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["campaign", "lead", "contact"]
    list_select_related = ["campaign", "lead", "contact"]
