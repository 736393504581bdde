"""The public unsubscribe page: GET asks, POST (a person or an RFC 8058 one-click client) unsubscribes."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from leads.models import Lead
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
