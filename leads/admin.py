from django.contrib import admin
from django.core.exceptions import ValidationError

from core.admin import AdminServices, FastModelAdmin, ReadOnlyAdminMixin, ServiceModelAdmin
from leads.models import Lead, LeadStatusChange, WebForm
from leads.services.capture import create_lead, delete_lead, update_lead
from leads.services.web_forms import create_web_form, delete_web_form, new_form_key, update_web_form


class StatusChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = LeadStatusChange
    extra = 0
    fields = ["from_status", "to_status", "changed_by", "changed_at", "reason"]
    readonly_fields = fields


def update_lead_from_admin(lead: Lead, *, by, data: dict) -> Lead:
    """Edit a lead through `update_lead`, which sends a new status through `change_lead_status` with its reason.

    Raises:
        ValidationError: the unqualified reason changed without a change of status (it is recorded with one).
    """
    if "unqualified_reason" in data and "status" not in data:
        raise ValidationError({"unqualified_reason": ["Give the reason together with a change of status."]})
    return update_lead(lead, by=by, data=data)


@admin.register(Lead)
class LeadAdmin(ServiceModelAdmin, FastModelAdmin):
    """Leads, written through `leads.services.capture`; a converted lead is read-only."""

    services = AdminServices(create=create_lead, update=update_lead_from_admin, delete=delete_lead)
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

    def get_readonly_fields(self, request, obj=None):
        if obj is None:  # the reason is recorded with a status change, which a new lead has not had
            return [*self.readonly_fields, "unqualified_reason"]
        if obj.is_converted:
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
class LeadStatusChangeAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    list_display = ["lead", "from_status", "to_status", "changed_by", "changed_at"]
    list_filter = ["to_status"]
    raw_id_fields = ["lead", "changed_by"]
    list_select_related = ["lead", "changed_by"]


@admin.register(WebForm)
class WebFormAdmin(ServiceModelAdmin):
    """Web forms, written through `leads.services.web_forms`; a new form starts with a fresh key."""

    services = AdminServices(create=create_web_form, update=update_web_form, delete=delete_web_form)
    list_display = ["name", "form_key", "default_source", "default_owner", "is_active", "created_at"]
    list_filter = ["is_active", "default_source"]
    search_fields = ["name", "form_key"]
    autocomplete_fields = ["default_owner"]

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("form_key", new_form_key())
        return initial
