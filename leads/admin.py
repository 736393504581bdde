import secrets

from django import forms
from django.contrib import admin

from crm.common.admin import FastModelAdmin
from leads.models import (
    AssignmentRule,
    EngagementWeight,
    Lead,
    LeadSource,
    LeadStatusChange,
    ScoringRule,
    ScoringRun,
    WebForm,
)
from leads.services import scoring as scoring_services
from leads.services.assignment import RULE_FIELDS, delete_assignment_rule, save_assignment_rule
from leads.tasks import assign_lead_task


class StatusChangeInline(admin.TabularInline):
    model = LeadStatusChange
    extra = 0
    can_delete = False
    fields = ["from_status", "to_status", "changed_by", "changed_at", "reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Lead)
class LeadAdmin(FastModelAdmin):
    list_display = ["__str__", "company", "email", "status", "score", "rating", "source", "owner", "created_at"]
    list_filter = ["status", "rating", "source", "do_not_contact"]
    search_fields = ["last_name", "first_name", "email", "company"]
    autocomplete_fields = ["owner"]
    raw_id_fields = ["converted_account", "converted_contact", "converted_opportunity"]
    list_select_related = ["owner"]
    readonly_fields = [
        "score",
        "rating",
        "scored_at",
        "mql_at",
        "qualified_at",
        "converted_at",
        "converted_account",
        "converted_contact",
        "converted_opportunity",
        "last_activity_at",
        "unsubscribed_at",
        "created_at",
        "updated_at",
    ]
    inlines = [StatusChangeInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and obj.owner_id is None:
            assign_lead_task.delay_on_commit(obj.pk)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_converted:
            return [field.name for field in obj._meta.fields]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_converted:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_converted:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(LeadStatusChange)
class LeadStatusChangeAdmin(FastModelAdmin):
    list_display = ["lead", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    raw_id_fields = ["lead", "changed_by"]
    list_select_related = ["lead", "changed_by"]


class ScoringConfigAdmin(admin.ModelAdmin):
    """Scoring configuration: only managers and admins, and every save goes through the service (which rescores)."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.can_manage and super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return request.user.can_manage and super().has_view_permission(request, obj)

    def has_add_permission(self, request):
        return request.user.can_manage and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return request.user.can_manage and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return request.user.can_manage and super().has_delete_permission(request, obj)


@admin.register(ScoringRule)
class ScoringRuleAdmin(ScoringConfigAdmin):
    list_display = ["name", "field", "operator", "value", "points", "active", "updated_at"]
    list_editable = ["points", "active"]
    list_filter = ["active", "field", "operator"]
    search_fields = ["name"]
    fields = ["name", "field", "operator", "value", "points", "active"]

    def save_model(self, request, obj, form, change):
        data = {name: getattr(obj, name) for name in scoring_services.RULE_FIELDS}
        if change:
            scoring_services.update_scoring_rule(obj, by=request.user, data=data)
        else:
            obj.pk = scoring_services.create_scoring_rule(by=request.user, **data).pk

    def delete_model(self, request, obj):
        scoring_services.delete_scoring_rule(obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for rule in queryset:
            scoring_services.delete_scoring_rule(rule, by=request.user)


@admin.register(EngagementWeight)
class EngagementWeightAdmin(ScoringConfigAdmin):
    list_display = ["kind", "points", "active", "updated_at"]
    list_editable = ["points", "active"]
    fields = ["kind", "points", "active"]
    readonly_fields = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        scoring_services.update_engagement_weight(
            obj, by=request.user, data={"points": obj.points, "active": obj.active}
        )


@admin.register(ScoringRun)
class ScoringRunAdmin(admin.ModelAdmin):
    list_display = ["id", "status", "reason", "started_at", "finished_at", "last_id", "max_id", "leads_changed"]
    list_filter = ["status"]
    readonly_fields = [field.name for field in ScoringRun._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CommaSeparatedField(forms.CharField):
    """A list of names typed as comma-separated text."""

    def prepare_value(self, value):
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [item.strip() for item in text.split(",") if item.strip()]


class AssignmentRuleForm(forms.ModelForm):
    sources = forms.MultipleChoiceField(
        choices=LeadSource.choices, required=False, widget=forms.CheckboxSelectMultiple, help_text="None: any source."
    )
    ratings = forms.MultipleChoiceField(
        choices=Lead.Rating.choices, required=False, widget=forms.CheckboxSelectMultiple, help_text="None: any rating."
    )
    countries = CommaSeparatedField(required=False, help_text="Comma-separated, case-insensitive; empty: any.")
    industries = CommaSeparatedField(required=False, help_text="Comma-separated, case-insensitive; empty: any.")

    class Meta:
        model = AssignmentRule
        fields = RULE_FIELDS


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(admin.ModelAdmin):
    form = AssignmentRuleForm
    list_display = ["order", "name", "active", "target_description", "method", "last_assigned_user"]
    list_display_links = ["name"]
    list_editable = ["order", "active"]
    list_filter = ["active", "method"]
    search_fields = ["name"]
    ordering = ["order", "id"]
    autocomplete_fields = ["target_user", "target_team"]
    readonly_fields = ["last_assigned_user", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["order", "name", "active"]}),
        (
            "Criteria (empty matches any lead)",
            {
                "fields": [
                    "sources",
                    "countries",
                    "industries",
                    "employees_min",
                    "employees_max",
                    "score_min",
                    "ratings",
                ]
            },
        ),
        ("Target (neither: all active reps)", {"fields": ["target_user", "target_team", "method"]}),
        ("Round-robin cursor", {"fields": ["last_assigned_user", "created_at", "updated_at"]}),
    ]

    @admin.display(description="Target")
    def target_description(self, obj: AssignmentRule) -> str:
        return obj.target_description

    def save_model(self, request, obj, form, change):
        save_assignment_rule(obj, by=request.user)

    def delete_model(self, request, obj):
        delete_assignment_rule(obj, by=request.user)


@admin.register(WebForm)
class WebFormAdmin(admin.ModelAdmin):
    list_display = ["name", "form_key", "default_source", "default_owner", "is_active", "created_at"]
    list_filter = ["is_active", "default_source"]
    search_fields = ["name", "form_key"]
    autocomplete_fields = ["default_owner"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("form_key", secrets.token_urlsafe(24))
        return initial
