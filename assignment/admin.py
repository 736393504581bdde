from django import forms
from django.contrib import admin

from assignment.models import GRADES, AssignmentRule, SlaPolicy, Territory
from assignment.services.rules import RULE_FIELDS, delete_assignment_rule, save_assignment_rule
from assignment.services.sla_policies import SLA_POLICY_FIELDS, create_sla_policy, delete_sla_policy, update_sla_policy
from assignment.services.territories import create_territory, delete_territory, update_territory
from core.admin import AdminServices, ServiceModelAdmin
from leads.models import Lead, LeadSource
from users.models import User


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
    grades = forms.MultipleChoiceField(
        choices=[(g, g) for g in GRADES], required=False, widget=forms.CheckboxSelectMultiple, help_text="None: any."
    )
    rep_levels = forms.MultipleChoiceField(
        choices=User.Level.choices, required=False, widget=forms.CheckboxSelectMultiple, help_text="None: any level."
    )
    rep_functions = forms.MultipleChoiceField(
        choices=[(User.Function.SDR, "SDR"), (User.Function.AE, "AE")],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None: any function.",
    )
    rep_skills = CommaSeparatedField(required=False, help_text="Comma-separated; reps need one of them. Empty: any.")

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
    autocomplete_fields = ["target_user", "target_team", "target_territory"]
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
                    "grades",
                ]
            },
        ),
        (
            "Target (none: all active reps)",
            {"fields": ["target_user", "target_team", "target_territory", "method", "fall_through"]},
        ),
        ("Only reps with (empty: any)", {"fields": ["rep_levels", "rep_skills", "rep_functions"]}),
        ("First touch", {"fields": ["sla_policy", "reassign_on_breach"]}),
        ("Round-robin cursor", {"fields": ["last_assigned_user", "created_at", "updated_at"]}),
    ]

    @admin.display(description="Target")
    def target_description(self, obj: AssignmentRule) -> str:
        return obj.target_description

    def save_model(self, request, obj, form, change):
        save_assignment_rule(obj, by=request.user)

    def delete_model(self, request, obj):
        delete_assignment_rule(obj, by=request.user)


class TerritoryForm(forms.ModelForm):
    countries = CommaSeparatedField(required=False, help_text="Comma-separated, case-insensitive.")
    regions = CommaSeparatedField(required=False, help_text="States or regions; empty: the whole countries.")
    postal_ranges = CommaSeparatedField(required=False, help_text='E.g. "10000-14999, 20095"; empty: any.')

    class Meta:
        model = Territory
        fields = ["name", "active", "countries", "regions", "postal_ranges", "named_accounts", "reps"]


@admin.register(Territory)
class TerritoryAdmin(ServiceModelAdmin):
    form = TerritoryForm
    services = AdminServices(create=create_territory, update=update_territory, delete=delete_territory)
    list_display = ["name", "active"]
    search_fields = ["name"]
    autocomplete_fields = ["named_accounts", "reps"]


@admin.register(SlaPolicy)
class SlaPolicyAdmin(ServiceModelAdmin):
    services = AdminServices(create=create_sla_policy, update=update_sla_policy, delete=delete_sla_policy)
    fields = SLA_POLICY_FIELDS
    list_display = ["name", "target_minutes", "time_zone", "team"]
    search_fields = ["name"]
