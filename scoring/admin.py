from django import forms
from django.contrib import admin

from core import leases
from core.admin import AdminServices, ServiceModelAdmin
from scoring import services as scoring_services
from scoring.models import EngagementWeight, GradeRule, ScoringRule, ScoringRun
from scoring.rules import OPERATORS_BY_FIELD


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


class GradeRuleForm(forms.ModelForm):
    field = forms.ChoiceField(choices=[(name, name) for name in sorted(OPERATORS_BY_FIELD)])

    class Meta:
        model = GradeRule
        fields = ["name", "field", "operator", "value", "points", "active"]


@admin.register(GradeRule)
class GradeRuleAdmin(ScoringConfigAdmin, ServiceModelAdmin):
    """The ideal-customer-profile rules of the lead grade; thresholds are the FUNNEL_GRADE_* settings."""

    form = GradeRuleForm
    services = AdminServices(
        create=scoring_services.create_grade_rule,
        update=scoring_services.update_grade_rule,
        delete=scoring_services.delete_grade_rule,
    )
    list_display = ["name", "field", "operator", "value", "points", "active", "updated_at"]
    list_editable = ["points", "active"]
    list_filter = ["active", "field", "operator"]
    search_fields = ["name"]
    fields = ["name", "field", "operator", "value", "points", "active"]


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
    list_display = ["id", "progress", "reason", "started_at", "finished_at", "last_id", "max_id", "leads_changed"]
    list_filter = ["status"]
    readonly_fields = ["progress", *(field.name for field in ScoringRun._meta.fields)]

    @admin.display(description="Status")
    def progress(self, run: ScoringRun) -> str:
        """The status, or "recovering after a worker stopped" until another worker takes the run over."""
        if run.status == ScoringRun.Status.RUNNING and leases.is_recovering("rescore", run.pk):
            return f"{run.get_status_display()}: {leases.RECOVERING}"
        return run.get_status_display()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
