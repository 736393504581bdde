from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.response import TemplateResponse

from core.admin import AdminServices, AdminWriteRefused, FastModelAdmin, ReadOnlyAdminMixin, ServiceModelAdmin
from core.exceptions import ApplicationError
from leads.models import Lead
from nurture.models import (
    Delivery,
    EmailTemplate,
    Enrollment,
    InboundEmail,
    RecordEmail,
    Sequence,
    Step,
    TrackingHit,
)
from nurture.services.email_templates import create_email_template, delete_email_template, update_email_template
from nurture.services.enrollment import enroll_lead, stop_enrollment
from nurture.services.sequences import STEP_FIELDS, create_sequence, delete_sequence, update_sequence


class StepInline(admin.StackedInline):
    """The sequence's steps, saved as one list through `update_sequence` (a step already sent stays)."""

    model = Step
    extra = 0
    fields = [("order", "delay_days", "delay_hours"), "subject", "body_text", "body_html"]


@admin.register(Sequence)
class SequenceAdmin(ServiceModelAdmin):
    """Sequences and their steps, written through `nurture.services.sequences`; one with enrollments is kept
    (make it inactive instead)."""

    services = AdminServices(create=create_sequence, update=update_sequence, delete=delete_sequence)
    list_display = [
        "name",
        "active",
        "trigger",
        "send_days",
        "send_start_hour",
        "send_end_hour",
        "time_zone",
        "daily_cap",
    ]
    list_filter = ["active", "trigger"]
    search_fields = ["name"]
    inlines = [StepInline]
    fieldsets = [
        (None, {"fields": ["name", "description", "active", "campaign"]}),
        ("Enrollment", {"fields": ["trigger", ("trigger_score_min", "trigger_score_max"), "trigger_source"]}),
        ("Exit", {"fields": ["exit_on_status_change", "exit_on_reply", "exit_on_mql", "exit_on_click"]}),
        ("Sending window", {"fields": ["send_days", ("send_start_hour", "send_end_hour"), "time_zone", "daily_cap"]}),
    ]

    def save_formset(self, request, form, formset, change):
        """Send the whole step list to `update_sequence` instead of letting the formset write the rows."""
        sequence = form.instance
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not formset.has_changed():
            return
        deleted = [step_form for step_form in formset.deleted_forms if step_form.instance.pk]
        kept = [
            step_form
            for step_form in formset.forms
            if step_form not in formset.deleted_forms and (step_form.instance.pk or step_form.has_changed())
        ]
        steps = [
            {
                **({"id": step_form.instance.pk} if step_form.instance.pk else {}),
                **{field: step_form.cleaned_data[field] for field in STEP_FIELDS if field in step_form.cleaned_data},
            }
            for step_form in kept
        ]
        try:
            update_sequence(sequence, by=request.user, data={"steps": steps})
        except (ValidationError, ApplicationError) as exc:
            raise AdminWriteRefused(exc, obj=sequence if change else None) from exc
        # What the change message (the admin's history) lists: the rows as the service saved them.
        saved = {step.order: step for step in Step.objects.filter(sequence=sequence)}
        for step_form in kept:
            step = saved.get(step_form.cleaned_data.get("order"))
            if not step_form.instance.pk:
                formset.new_objects.append(step)
            elif step_form.has_changed():
                formset.changed_objects.append((step, step_form.changed_data))
        formset.deleted_objects = [step_form.instance for step_form in deleted]


class DeliveryInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Delivery
    extra = 0
    fields = ["step", "status", "created_at", "sent_at", "message_id", "error"]
    readonly_fields = fields


@admin.register(Enrollment)
class EnrollmentAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    """Shown only: enrol from the lead list (action) or the API, so the rules are checked; stop with the action."""

    list_display = ["lead", "sequence", "status", "current_step", "next_send_at", "stop_reason", "created_at"]
    list_filter = ["status", "stop_reason", "sequence"]
    raw_id_fields = ["lead", "enrolled_by", "current_step"]
    list_select_related = ["lead", "sequence", "current_step"]
    readonly_fields = ["status", "current_step", "next_send_at", "stop_reason", "created_at", "updated_at", "ended_at"]
    inlines = [DeliveryInline]
    actions = ["stop_selected"]

    @admin.action(description="Stop the selected enrollments")
    def stop_selected(self, request, queryset):
        enrollments = list(queryset)
        for enrollment in enrollments:
            stop_enrollment(enrollment, by=request.user)
        self.message_user(request, f"Stopped {len(enrollments)} enrollment(s).")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    list_display = ["enrollment", "step", "status", "created_at", "sent_at", "message_id"]
    list_filter = ["status"]
    raw_id_fields = ["enrollment", "step"]
    list_select_related = ["enrollment", "step"]
    readonly_fields = ["enrollment", "step", "status", "message_id", "created_at", "sent_at", "error"]


@admin.action(description="Enroll the selected leads in a nurture sequence")
def enroll_in_sequence(modeladmin, request, queryset):
    """Ask for the sequence, then enrol each selected lead; leads that can't be nurtured are reported."""
    sequences = Sequence.objects.active().order_by("name")
    chosen = sequences.filter(pk=request.POST.get("sequence") or 0).first() if "apply" in request.POST else None
    if chosen is None:
        return TemplateResponse(
            request,
            "nurture/admin_enroll.html",
            {
                **modeladmin.admin_site.each_context(request),
                "leads": queryset,
                "sequences": sequences,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "title": "Enroll leads in a sequence",
            },
        )
    enrolled, skipped = 0, 0
    for lead in queryset:
        try:
            with transaction.atomic():
                enroll_lead(lead, sequence=chosen, by=request.user)
            enrolled += 1
        except ApplicationError:
            skipped += 1
    modeladmin.message_user(request, f"Enrolled {enrolled} lead(s) in “{chosen}”.")
    if skipped:
        modeladmin.message_user(request, f"Skipped {skipped} lead(s) that can't be nurtured.", messages.WARNING)
    return None


# Leads can't import nurture, so nurture adds its bulk action to the lead admin.
if Lead in admin.site._registry:
    _lead_admin = admin.site._registry[Lead]
    _lead_admin.actions = [*(_lead_admin.actions or []), enroll_in_sequence]


@admin.register(EmailTemplate)
class EmailTemplateAdmin(ServiceModelAdmin):
    """Templates reps write from on a lead's or contact's page, written through `nurture.services.email_templates`."""

    services = AdminServices(create=create_email_template, update=update_email_template, delete=delete_email_template)
    list_display = ["name", "subject", "active", "updated_at"]
    list_filter = ["active"]
    search_fields = ["name", "subject"]
    fields = ["name", "active", "subject", "body_text"]


@admin.register(RecordEmail)
class RecordEmailAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    """Emails sent from records: what went out, to whom and how it ended (shown only)."""

    list_display = ["subject", "to_email", "status", "sent_by", "created_at", "sent_at"]
    list_filter = ["status"]
    search_fields = ["to_email", "subject"]
    raw_id_fields = ["lead", "contact", "template", "sent_by", "activity"]
    list_select_related = ["sent_by"]


@admin.register(InboundEmail)
class InboundEmailAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    """Replies received through the inbound endpoint (shown only)."""

    list_display = ["from_email", "subject", "matched_by", "created_at"]
    list_filter = ["matched_by"]
    search_fields = ["from_email", "subject", "message_id"]
    raw_id_fields = ["lead", "contact", "record_email", "activity"]


@admin.register(TrackingHit)
class TrackingHitAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    """Opens and clicks of tracked emails, people and bots apart (shown only; written by the tracking URLs)."""

    list_display = ["kind", "delivery", "record_email", "is_bot", "bot_reason", "count", "first_at", "last_at"]
    list_filter = ["kind", "is_bot"]
    raw_id_fields = ["delivery", "record_email"]
    list_select_related = ["delivery__step", "record_email"]
    readonly_fields = [f.name for f in TrackingHit._meta.fields]
