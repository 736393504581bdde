"""Erasing a person's leads (a privacy request): open leads go, converted ones stay as an anonymous shell.

A converted lead is kept so the funnel (its milestones, source, company) and the account, contact and opportunity
it became stay true; everything that names or reaches the person is blanked. This is the one write allowed on a
converted lead besides its conversion.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from core.text import normalize_email
from leads.models import Lead, LeadStatusChange

ERASED_FIRST_NAME, ERASED_LAST_NAME = "Erased", "person"
# Every text field that may name, describe or reach the person; company, industry, size, country and the funnel
# stay, as they describe the company and the pipeline.
ERASED_BLANK_FIELDS = [
    "email",
    "phone",
    "title",
    "website",
    "city",
    "state",
    "postal_code",
    "description",
    "unqualified_reason",
    "authority",
    "need",
    "metrics",
    "economic_buyer",
    "decision_criteria",
    "decision_process",
    "identify_pain",
    "champion",
    "external_id",
    "email_bounce_kind",
]


@transaction.atomic
def erase_person_leads(email: str, *, by) -> dict[str, int]:
    """Delete the open leads with `email` and anonymise the converted ones; return counts.

    `by` is the admin acting (the privacy service checks the role and keeps the tombstone).
    """
    leads = list(
        Lead.objects.select_for_update(of=("self",)).filter(email__iexact=normalize_email(email)).order_by("pk")
    )
    converted = [lead.pk for lead in leads if lead.is_converted]
    open_ids = [lead.pk for lead in leads if not lead.is_converted]
    if converted:
        blank = {name: "" for name in ERASED_BLANK_FIELDS if _is_text(name)}
        Lead.objects.filter(pk__in=converted).update(
            first_name=ERASED_FIRST_NAME,
            last_name=ERASED_LAST_NAME,
            do_not_contact=True,
            updated_at=timezone.now(),
            **blank,
        )
        LeadStatusChange.objects.filter(lead_id__in=converted).update(reason="")
    if open_ids:
        Lead.objects.filter(pk__in=open_ids).delete()
    return {"leads_deleted": len(open_ids), "leads_anonymised": len(converted)}


def _is_text(name: str) -> bool:
    field = Lead._meta.get_field(name)
    return field.get_internal_type() in ("CharField", "TextField", "EmailField", "URLField") and not field.null
