"""Nurture pages: the public unsubscribe page and enrolling leads by hand from the lead page and the lead list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.views import error_text, redirect_back
from leads.models import Lead
from nurture.forms import BulkEnrollForm, EnrollForm
from nurture.services.enrollment import enroll_lead
from nurture.services.unsubscribe import unsubscribe_lead
from nurture.tokens import read_unsubscribe_token


# CSRF-exempt: one-click unsubscribe POSTs come from mail providers without a cookie; the signed token is
# the credential, and the action is idempotent and only ever reduces what we send.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Confirm (GET) or record (POST) an unsubscribe for the lead in the signed token."""
    lead_id = read_unsubscribe_token(token)
    lead = Lead.objects.filter(pk=lead_id).only("pk", "email", "unsubscribed_at").first() if lead_id else None
    if lead is None:
        return render(request, "nurture/unsubscribe_invalid.html", status=404)
    if request.method == "POST":
        one_click = request.POST.get("List-Unsubscribe") == "One-Click"
        unsubscribe_lead(lead.pk, channel="one_click" if one_click else "page")
        return render(request, "nurture/unsubscribe_done.html", {"email": lead.email})
    return render(
        request,
        "nurture/unsubscribe_confirm.html",
        {"email": lead.email, "already": lead.unsubscribed_at is not None},
    )


def _form_errors(request, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


@login_required
@require_POST
def enroll(request, pk: int):
    """Enrol one lead the user can see in the chosen sequence, then go back to the lead page."""
    lead = get_object_or_404(Lead.objects.visible_to(request.user), pk=pk)
    back = reverse("leads:detail", args=[lead.pk])
    form = EnrollForm(request.POST, user=request.user)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    sequence = form.cleaned_data["sequence"]
    try:
        enroll_lead(lead, sequence=sequence, by=request.user)
    except ApplicationError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, f"{lead.full_name} is enrolled in “{sequence.name}”.")
    return redirect(back)


@login_required
@require_POST
def bulk_enroll(request):
    """Enrol the leads selected in the lead list after the user picks the sequence and confirms; only visible leads."""
    form = BulkEnrollForm(request.POST, user=request.user)
    back = reverse("leads:list")
    if not form.is_valid() and "ids" in form.errors:
        _form_errors(request, form)
        return redirect_back(request, back)
    leads = list(
        Lead.objects.visible_to(request.user)
        .filter(pk__in=form.cleaned_data["ids"])
        .select_related("owner")
        .order_by("pk")
    )
    if not form.is_valid() or not form.cleaned_data["confirm"]:
        context = {
            "form": form,
            "leads": leads,
            "sequences": list(form.fields["sequence"].queryset),
            "next": request.POST.get("next", ""),
        }
        return render(request, "nurture/bulk_enroll_confirm.html", context, status=200 if form.is_valid() else 400)
    sequence = form.cleaned_data["sequence"]
    enrolled, skipped = 0, []
    missing = len(set(form.cleaned_data["ids"])) - len(leads)
    if missing:
        skipped += [f"{missing} not found"] if missing > 1 else ["1 not found"]
    for lead in leads:
        try:
            # One savepoint per lead: a refused lead leaves the others enrolled.
            with transaction.atomic():
                enroll_lead(lead, sequence=sequence, by=request.user)
        except ApplicationError as exc:
            skipped.append(f"{lead.full_name}: {error_text(exc)}")
        else:
            enrolled += 1
    messages.success(request, f"{enrolled} lead{'s' if enrolled != 1 else ''} enrolled in “{sequence.name}”.")
    if skipped:
        more = f" (and {len(skipped) - 5} more)" if len(skipped) > 5 else ""
        count = len(skipped) - (1 if missing else 0) + missing
        messages.warning(request, f"{count} skipped — " + "; ".join(skipped[:5]) + more)
    return redirect_back(request, back)
