from django.contrib import admin

from crm.common.admin import FastModelAdmin
from opportunities.models import Opportunity, OpportunityContactRole, OpportunityStageChange, Stage


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "order", "probability", "is_closed", "is_won", "forecast_category"]
    list_editable = ["order", "probability"]
    search_fields = ["name"]


class ContactRoleInline(admin.TabularInline):
    model = OpportunityContactRole
    extra = 0
    autocomplete_fields = ["contact"]


class StageChangeInline(admin.TabularInline):
    model = OpportunityStageChange
    extra = 0
    can_delete = False
    fields = ["from_stage", "to_stage", "amount", "changed_by", "changed_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Opportunity)
class OpportunityAdmin(FastModelAdmin):
    list_display = ["name", "account", "stage", "amount", "close_date", "owner", "created_at"]
    list_filter = ["stage", "forecast_category", "lead_source"]
    search_fields = ["name", "account__name"]
    autocomplete_fields = ["owner", "account"]
    list_select_related = ["account", "stage", "owner"]
    date_hierarchy = "close_date"
    inlines = [ContactRoleInline, StageChangeInline]


@admin.register(OpportunityStageChange)
class OpportunityStageChangeAdmin(FastModelAdmin):
    list_display = ["opportunity", "from_stage", "to_stage", "amount", "changed_by", "changed_at"]
    raw_id_fields = ["opportunity", "changed_by"]
    list_select_related = ["opportunity", "from_stage", "to_stage", "changed_by"]


@admin.register(OpportunityContactRole)
class OpportunityContactRoleAdmin(FastModelAdmin):
    list_display = ["opportunity", "contact", "role", "is_primary"]
    raw_id_fields = ["opportunity", "contact"]
    list_select_related = ["opportunity", "contact"]
