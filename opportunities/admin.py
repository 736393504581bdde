from django.contrib import admin

from core.admin import AdminServices, FastModelAdmin, ReadOnlyAdminMixin, ServiceModelAdmin
from opportunities.forecasting import delete_quota, set_quota, update_quota
from opportunities.models import Opportunity, OpportunityContactRole, OpportunityStageChange, Quota, Stage
from opportunities.services import (
    create_opportunity,
    create_stage,
    delete_opportunity,
    delete_stage,
    update_opportunity,
    update_stage,
)


@admin.register(Stage)
class StageAdmin(ServiceModelAdmin):
    services = AdminServices(create=create_stage, update=update_stage, delete=delete_stage)
    list_display = ["name", "order", "probability", "is_closed", "is_won", "forecast_category"]
    list_editable = ["order", "probability"]
    search_fields = ["name"]


class ContactRoleInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Shown only: no service edits contact roles from the admin."""

    model = OpportunityContactRole
    extra = 0
    fields = ["contact", "role", "is_primary"]
    readonly_fields = fields


class StageChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OpportunityStageChange
    extra = 0
    fields = ["from_stage", "to_stage", "amount", "changed_by", "changed_at"]
    readonly_fields = fields


@admin.register(Opportunity)
class OpportunityAdmin(ServiceModelAdmin, FastModelAdmin):
    """Opportunities, written through `opportunities.services`: a new stage moves the deal and records its history."""

    services = AdminServices(create=create_opportunity, update=update_opportunity, delete=delete_opportunity)
    list_display = ["name", "account", "stage", "amount", "close_date", "owner", "created_at"]
    list_filter = ["stage", "forecast_category", "lead_source"]
    search_fields = ["name", "account__name"]
    autocomplete_fields = ["owner", "account"]
    readonly_fields = ["forecast_overridden", "closed_at", "created_at", "updated_at"]
    list_select_related = ["account", "stage", "owner"]
    date_hierarchy = "close_date"
    inlines = [ContactRoleInline, StageChangeInline]

    def get_exclude(self, request, obj=None):
        if obj is None:  # a new deal takes its probability and forecast category from its stage
            return [*(super().get_exclude(request, obj) or []), "probability", "forecast_category"]
        return super().get_exclude(request, obj)


@admin.register(OpportunityStageChange)
class OpportunityStageChangeAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    list_display = ["opportunity", "from_stage", "to_stage", "amount", "changed_by", "changed_at"]
    raw_id_fields = ["opportunity", "changed_by"]
    list_select_related = ["opportunity", "from_stage", "to_stage", "changed_by"]


@admin.register(OpportunityContactRole)
class OpportunityContactRoleAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    list_display = ["opportunity", "contact", "role", "is_primary"]
    raw_id_fields = ["opportunity", "contact"]
    list_select_related = ["opportunity", "contact"]


@admin.register(Quota)
class QuotaAdmin(ServiceModelAdmin, FastModelAdmin):
    """Quotas, written through `opportunities.forecasting` (the same checks as the quota page and the API)."""

    services = AdminServices(create=set_quota, update=update_quota, delete=delete_quota)
    list_display = ["user", "period", "period_start", "amount", "updated_at"]
    list_filter = ["period", "period_start"]
    search_fields = ["user__username", "user__email"]
    autocomplete_fields = ["user"]
    list_select_related = ["user"]
