"""Notices about leads sent to people."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse

from activities.models import Event
from activities.services import record_event
from core.text import one_line
from leads.models import Lead
from users.models import User


@transaction.atomic
def notify_conversion(lead_id: int) -> bool:
    """Email the new owner of a converted lead's records unless already done; return whether an email went out."""
    lead = (
        Lead.objects.select_for_update(of=("self",))
        .select_related("converted_account", "converted_contact", "converted_opportunity")
        .filter(pk=lead_id, status=Lead.Status.CONVERTED)
        .first()
    )
    if lead is None:
        return False
    events = Event.objects.filter(lead=lead, kind__in=["converted", "conversion_notified"]).order_by("pk")
    kinds = {event.kind: event for event in events}
    if "conversion_notified" in kinds or "converted" not in kinds:
        return False
    converted = kinds["converted"]
    owner = User.objects.filter(pk=converted.data.get("owner"), is_active=True).exclude(email="").first()
    if owner is None:
        return False
    opportunity = lead.converted_opportunity
    if opportunity is not None:
        link = reverse("opportunities:detail", args=[opportunity.pk])
        what = f"opportunity {opportunity.name}"
    else:
        link = reverse("accounts:detail", args=[lead.converted_account_id])
        what = f"account {lead.converted_account.name}"
    actor = converted.actor.display_name if converted.actor_id else "Someone"
    send_mail(
        subject=one_line(f"Lead converted: {lead.full_name} ({lead.converted_account.name})"),
        message=(
            f"{actor} converted the lead {lead.full_name} into the {what}.\n"
            f"Contact: {lead.converted_contact.full_name}\n\n"
            f"Open it: {settings.SITE_URL.rstrip('/')}{link}\n"
        ),
        from_email=None,
        recipient_list=[owner.email],
    )
    record_event("conversion_notified", f"Conversion notice emailed to {owner.display_name}", lead=lead)
    return True
