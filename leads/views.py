"""The rep's lead pages: the list, one lead, create/edit, status changes, bulk actions, logging activity."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activities.forms import ActivityForm
from activities.selectors import get_timeline
from activities.views import log_activity_on
from core.exceptions import ApplicationError
from core.lists import Column
from core.views import (
    LogActivityMixin,
    RecordActionMixin,
    RecordDetailView,
    RecordListView,
    add_service_error,
    flash_error,
    redirect_back,
)
from leads.forms import (
    STATUS_CHOICES_FOR_REPS,
    BulkForm,
    LeadFilterForm,
    LeadForm,
    QualificationForm,
    StatusForm,
    owner_queryset,
)
from leads.models import Lead
from leads.selectors import list_duplicate_candidates, list_leads
from leads.services.capture import change_lead_status, create_lead, update_lead

PAGE_SIZE = 50
CONVERTED_MEANWHILE = "Someone converted this lead meanwhile; here is what it became."


class LeadListView(RecordListView):
    """Leads to work: open ones, the rep's own or a manager's teams' by default; filtered, searched, keyset-paged."""

    model = Lead
    template_name = "leads/lead_list.html"
    context_object_name = "leads"
    cell_template = "leads/_lead_cell.html"
    columns = (
        Column("select", "", fixed=True, head="leads/_select_all_head.html"),
        Column("name", "Name", sort="last_name", fixed=True),
        Column("company", "Company", sort="company", css="opt-narrow"),
        Column("email", "Email", sort="email", css="nowrap opt"),
        Column("score", "Score", sort="score"),
        Column("grade", "Grade", sort="grade"),
        Column("status", "Status", sort="status"),
        Column("owner", "Owner", css="opt-narrow"),
        Column("created", "Created", sort="created_at", css="nowrap opt"),
        Column("last_activity", "Last activity", sort="last_activity_at", css="nowrap opt"),
        Column("source", "Source", sort="source", default=False),
        Column("rating", "Rating", default=False),
        Column("title", "Title", sort="title", default=False),
        Column("phone", "Phone", css="nowrap", default=False),
        Column("industry", "Industry", sort="industry", default=False),
        Column("country", "Country", sort="country", default=False),
        Column("city", "City", sort="city", default=False),
        Column("updated", "Updated", sort="updated_at", css="nowrap", default=False),
        Column("conversion", "Win %", sort="conversion_probability", css="num", default=False),
    )
    page_size = PAGE_SIZE

    def get_queryset(self):
        user = self.request.user
        self.owners = list(owner_queryset(user)) if user.can_manage else []
        self.form = LeadFilterForm(self.request.GET or None, user=user, owners=self.owners)
        filters, _ = self.form.to_filters()  # the form's search and filters; the order is the list's `sort=`
        if not user.can_manage:
            filters.owner = "me"
        return list_leads(user, filters)

    def get_context_data(self, **context) -> dict:
        return {
            **context,
            "form": self.form,
            "status_choices": STATUS_CHOICES_FOR_REPS,
            "owners": self.owners,
            "here": self.request.get_full_path(),
            "mql_threshold": settings.FUNNEL_MQL_THRESHOLD,
        }


class LeadDetailView(RecordDetailView):
    """One lead: details, score, status controls, duplicates, timeline and forms to log work."""

    model = Lead
    related = ("owner", "converted_account", "converted_contact", "converted_opportunity")
    template_name = "leads/lead_detail.html"
    timeline = get_timeline
    activity_form_class = ActivityForm
    log_activity = log_activity_on

    def get_extra_context(self, lead: Lead) -> dict:
        return {
            "status_form": StatusForm(initial={"status": lead.status}),
            "duplicates": list_duplicate_candidates(lead, self.request.user) if not lead.is_converted else None,
            "mql_threshold": settings.FUNNEL_MQL_THRESHOLD,
        }


@login_required
def lead_create(request):
    """Create a lead by hand."""
    form = LeadForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner", None)
        try:
            lead = create_lead(by=request.user, owner=owner, **data)
        except (ValidationError, ApplicationError) as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, f"Lead {lead.full_name} created.")
            return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/lead_form.html", {"form": form, "lead": None})


class LeadEditView(LeadDetailView):
    """Edit a lead's details; a converted lead is read-only."""

    def get(self, request, *args, **kwargs):
        lead = self.get_object()
        if lead.is_converted:
            messages.error(request, "This lead is converted and read-only.")
            return redirect("leads:detail", pk=lead.pk)
        form = LeadForm(request.POST or None, instance=lead, user=request.user)
        if request.method == "POST" and form.is_valid():
            try:
                update_lead(lead, by=request.user, data=form.cleaned_data)
            except (ValidationError, ApplicationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Lead saved.")
                return redirect("leads:detail", pk=lead.pk)
        return render(request, "leads/lead_form.html", {"form": form, "lead": lead})

    post = get


class LeadStatusView(RecordActionMixin, LeadDetailView):
    """Change a lead's status from its page or inline in the list; unqualified needs a reason."""

    def post(self, request, *args, **kwargs):
        lead = self.get_object()
        form = StatusForm(request.POST)
        fallback = reverse("leads:detail", args=[lead.pk])
        if not form.is_valid():
            if request.POST.get("next"):
                messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
                return redirect(fallback)
            return self.render_page(lead, status=400, status_form=form)
        try:
            lead = change_lead_status(
                lead, to=form.cleaned_data["status"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except (ValidationError, ApplicationError) as exc:
            flash_error(request, exc)
            return redirect(fallback)
        messages.success(request, f"{lead.full_name} is now {lead.get_status_display().lower()}.")
        return redirect_back(request, fallback)


@login_required
@require_POST
def lead_bulk(request):
    """Apply one action to many leads after the user confirms it; only visible leads are touched."""
    form = BulkForm(request.POST, user=request.user)
    back = reverse("leads:list")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect_back(request, back)
    leads = list(
        Lead.objects.visible_to(request.user)
        .filter(pk__in=form.cleaned_data["ids"])
        .select_related("owner")
        .order_by("pk")
    )
    if not form.cleaned_data["confirm"]:
        return render(
            request,
            "leads/lead_bulk_confirm.html",
            {"form": form, "leads": leads, "next": request.POST.get("next", "")},
        )
    done, failed = 0, []
    for lead in leads:
        try:
            if form.cleaned_data["action"] == "status":
                change_lead_status(
                    lead, to=form.cleaned_data["status"], by=request.user, reason=form.cleaned_data["reason"]
                )
            else:
                update_lead(lead, by=request.user, data={"owner": form.cleaned_data["owner_user"]})
        except (ValidationError, ApplicationError) as exc:
            failed.append(f"{lead.full_name}: {exc}")
        else:
            done += 1
    messages.success(request, f"{done} lead{'s' if done != 1 else ''} updated.")
    if failed:
        messages.error(request, f"{len(failed)} not updated — " + "; ".join(failed[:5]))
    return redirect_back(request, back)


class LeadLogActivityView(LogActivityMixin, LeadDetailView):
    """Add a note, log a call or meeting, or schedule a task on a lead; a converted lead is read-only."""

    def post(self, request, *args, **kwargs):
        lead = self.get_object()
        if lead.is_converted:
            messages.error(request, "This lead is converted and read-only.")
            return redirect("leads:detail", pk=lead.pk)
        return self.log_activity_for(lead)


lead_list = LeadListView.as_view()
home = lead_list
lead_detail = LeadDetailView.as_view()
lead_edit = LeadEditView.as_view()
lead_status = LeadStatusView.as_view()
lead_log_activity = LeadLogActivityView.as_view()


class LeadQualificationView(RecordActionMixin, LeadDetailView):
    """Save the lead page's qualification checklist (BANT or MEDDIC); bad input shows the page again with the panel."""

    def post(self, request, *args, **kwargs):
        lead = self.get_object()
        if lead.is_converted:
            messages.error(request, "This lead is converted and read-only.")
            return redirect("leads:detail", pk=lead.pk)
        form = QualificationForm(request.POST, instance=lead)
        if form.is_valid():
            try:
                update_lead(lead, by=request.user, data={name: form.cleaned_data[name] for name in form.fields})
            except (ValidationError, ApplicationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Qualification saved.")
                return redirect("leads:detail", pk=lead.pk)
        return self.render_page(lead, status=400, qualification_form=form)


lead_qualification = LeadQualificationView.as_view()
