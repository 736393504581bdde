"""The convert page of a lead."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from accounts.models import Account
from conversion.forms import ConvertLeadForm
from conversion.selectors import (
    Match,
    find_contact_match,
    list_account_matches,
    list_contact_matches,
    pick_account_match,
)
from conversion.services import convert_lead
from core.exceptions import ApplicationError
from leads.exceptions import LeadAlreadyConverted
from leads.models import Lead
from opportunities.models import Opportunity

CONVERTED_MEANWHILE = "Someone converted this lead meanwhile; here is what it became."


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
            return redirect("conversion:convert", pk=lead.pk)
        return render(request, "conversion/lead_convert.html", {"lead": lead})
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
            return redirect("conversion:convert", pk=lead.pk)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.detail)
        else:
            messages.success(request, f"{lead.full_name} was converted into {conversion.account.name}.")
            if conversion.opportunity is not None and conversion.opportunity.owner_id != request.user.pk:
                # The SDR → AE hand-off (or a manager's choice) gave the deal to someone else: say so, and land
                # where the user can still look.
                messages.info(request, f"The opportunity was handed to {conversion.opportunity.owner}.")
            deal = conversion.opportunity
            if deal is not None and Opportunity.objects.visible_to(request.user).filter(pk=deal.pk).exists():
                return redirect("opportunities:detail", pk=conversion.opportunity.pk)
            if Account.objects.visible_to(request.user).filter(pk=conversion.account.pk).exists():
                return redirect("accounts:detail", pk=conversion.account.pk)
            return redirect("leads:detail", pk=lead.pk)
    return render(
        request,
        "conversion/lead_convert.html",
        {"lead": lead, "form": form, "account_matches": account_matches, "contact_matches": contact_matches},
    )
