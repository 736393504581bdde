"""The rep's lead pages: the list, one lead, create/edit, status changes, bulk actions, logging activity."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from activities.forms import ActivityForm
from activities.selectors import get_timeline
from activities.views import log_activity_on
from crm.common.exceptions import ApplicationError
from crm.common.keyset import keyset_page
from crm.common.views import add_service_error, flash_error, paging_links, redirect_back
from leads.exceptions import LeadAlreadyConverted
from leads.forms import (
    STATUS_CHOICES_FOR_REPS,
    BulkForm,
    ConvertLeadForm,
    LeadFilterForm,
    LeadForm,
    StatusForm,
    owner_queryset,
)
from leads.models import Lead
from leads.scoring import CLAMP_LINE, ENGAGEMENT_LINE
from leads.selectors import (
    Match,
    find_contact_match,
    list_account_matches,
    list_contact_matches,
    list_duplicate_candidates,
    list_leads,
    pick_account_match,
)
from leads.services.capture import change_lead_status, create_lead, update_lead
from leads.services.conversion import convert_lead
from leads.services.scoring import explain_score

PAGE_SIZE = 50
CONVERTED_MEANWHILE = "Someone converted this lead meanwhile; here is what it became."


@login_required
def lead_list(request):
    """Leads to work: open ones, the rep's own or a manager's teams' by default; filtered, searched, keyset-paged."""
    owners = list(owner_queryset(request.user)) if request.user.can_manage else []
    form = LeadFilterForm(request.GET or None, user=request.user, owners=owners)
    filters, sort = form.to_filters()
    if not request.user.can_manage:
        filters.owner = "me"
    page = keyset_page(
        list_leads(request.user, filters),
        sort=sort,
        after=request.GET.get("after"),
        before=request.GET.get("before"),
        size=PAGE_SIZE,
    )
    context = {
        "form": form,
        "leads": page.items,
        **paging_links(request, page),
        "status_choices": STATUS_CHOICES_FOR_REPS,
        "owners": owners,
        "here": request.get_full_path(),
    }
    return render(request, "leads/lead_list.html", context)


home = lead_list


def _visible_lead(request, pk: int) -> Lead:
    return get_object_or_404(
        Lead.objects.visible_to(request.user).select_related(
            "owner", "converted_account", "converted_contact", "converted_opportunity"
        ),
        pk=pk,
    )


@login_required
def lead_detail(request, pk: int):
    """One lead: details, score, status controls, duplicates, timeline and forms to log work."""
    lead = _visible_lead(request, pk)
    return render(request, "leads/lead_detail.html", _detail_context(request, lead))


def _detail_context(request, lead: Lead, **overrides) -> dict:
    explained = explain_score(lead)
    line_kinds = {ENGAGEMENT_LINE: "engagement", CLAMP_LINE: "clamp"}
    breakdown = [{**row, "kind": line_kinds.get(row["rule"], "rule")} for row in explained["breakdown"]]
    context = {
        "lead": lead,
        "explained": explained,
        "breakdown": breakdown,
        "status_form": StatusForm(initial={"status": lead.status}),
        "activity_form": ActivityForm(initial={"kind": "call"}),
        "duplicates": list_duplicate_candidates(lead, request.user) if not lead.is_converted else None,
        "timeline": get_timeline(request.user, lead=lead),
        "log_url": reverse("leads:log_activity", args=[lead.pk]),
    }
    context.update(overrides)
    return context


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


@login_required
def lead_edit(request, pk: int):
    """Edit a lead's details; a converted lead is read-only."""
    lead = _visible_lead(request, pk)
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


@login_required
@require_POST
def lead_status(request, pk: int):
    """Change a lead's status from its page or inline in the list; unqualified needs a reason."""
    lead = _visible_lead(request, pk)
    form = StatusForm(request.POST)
    fallback = reverse("leads:detail", args=[lead.pk])
    if not form.is_valid():
        if request.POST.get("next"):
            messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
            return redirect(fallback)
        return render(request, "leads/lead_detail.html", _detail_context(request, lead, status_form=form), status=400)
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


@login_required
@require_POST
def lead_log_activity(request, pk: int):
    """Add a note, log a call or meeting, or schedule a task on a lead."""
    lead = _visible_lead(request, pk)
    if lead.is_converted:
        messages.error(request, "This lead is converted and read-only.")
        return redirect("leads:detail", pk=lead.pk)
    return log_activity_on(
        request,
        record_name="lead",
        record=lead,
        success_url=reverse("leads:detail", args=[lead.pk]),
        render_page=lambda form: render(
            request, "leads/lead_detail.html", _detail_context(request, lead, activity_form=form), status=400
        ),
    )


@login_required
def convert(request, pk: int):
    """Convert a lead: confirm the suggested account and contact (or pick others) and the opportunity to open."""
    lead = get_object_or_404(
        Lead.objects.visible_to(request.user).select_related(
            "owner", "converted_account", "converted_contact", "converted_opportunity"
        ),
        pk=pk,
    )
    if lead.is_converted:
        if request.method == "POST":
            messages.warning(request, CONVERTED_MEANWHILE)
            return redirect("leads:convert", pk=lead.pk)
        return render(request, "leads/lead_convert.html", {"lead": lead})
    account_matches = list_account_matches(lead, user=request.user)
    suggested_account = pick_account_match(account_matches)
    suggested_contact = (
        find_contact_match(lead, account=suggested_account, user=request.user) if suggested_account else None
    )
    contact_matches = list_contact_matches(lead, user=request.user, accounts=[m.record for m in account_matches])
    if suggested_contact is not None and suggested_contact.pk not in {m.record.pk for m in contact_matches}:
        contact_matches.insert(0, Match(suggested_contact, "email"))
    form = ConvertLeadForm(
        request.POST or None,
        lead=lead,
        user=request.user,
        account_matches=account_matches,
        contact_matches=contact_matches,
        suggested_account=suggested_account,
        suggested_contact=suggested_contact,
    )
    if request.method == "POST" and form.is_valid():
        try:
            conversion = convert_lead(lead, by=request.user, **form.conversion_options())
        except LeadAlreadyConverted:
            messages.warning(request, CONVERTED_MEANWHILE)
            return redirect("leads:convert", pk=lead.pk)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            messages.success(request, f"{lead.full_name} was converted into {conversion.account.name}.")
            if conversion.opportunity is not None:
                return redirect("opportunities:detail", pk=conversion.opportunity.pk)
            return redirect("accounts:detail", pk=conversion.account.pk)
    return render(
        request,
        "leads/lead_convert.html",
        {"lead": lead, "form": form, "account_matches": account_matches, "contact_matches": contact_matches},
    )
