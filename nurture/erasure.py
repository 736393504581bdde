"""Erasing a person from email: what was sent to them or received from them, and how they opened it.

Deliveries and emails stay (scrubbed) so sequence and campaign counts stay true; their words, the address and
the tracking hits go.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q

from core.services import delete_in_batches
from core.text import normalize_email
from nurture.models import Delivery, Enrollment, InboundEmail, RecordEmail
from nurture.tracking_models import TrackingHit

ERASED_TEXT = "Erased at the person's request"


def _record_emails(email: str, lead_ids: list[int], contact_ids: list[int]) -> Q:
    return Q(lead_id__in=lead_ids) | Q(contact_id__in=contact_ids) | Q(to_email__iexact=normalize_email(email))


def _inbound(email: str, lead_ids: list[int], contact_ids: list[int]) -> Q:
    return Q(lead_id__in=lead_ids) | Q(contact_id__in=contact_ids) | Q(from_email__icontains=normalize_email(email))


def _hits(lead_ids: list[int], record_emails) -> Q:
    return Q(delivery__enrollment__lead_id__in=lead_ids) | Q(record_email__in=record_emails)


def list_person_email(email: str, *, lead_ids: list[int], contact_ids: list[int]) -> dict[str, list[dict]]:
    """Return the nurture enrollments and deliveries, record emails, replies and tracking hits of the person."""
    record_emails = RecordEmail.objects.filter(_record_emails(email, lead_ids, contact_ids)).order_by("pk")
    deliveries = (
        Delivery.objects.filter(enrollment__lead_id__in=lead_ids)
        .select_related("step", "enrollment__sequence")
        .order_by("created_at", "id")
    )
    return {
        "nurture_enrollments": [
            {"id": e.pk, "sequence": e.sequence.name, "status": e.status, "lead": e.lead_id}
            for e in Enrollment.objects.filter(lead_id__in=lead_ids).select_related("sequence").order_by("pk")
        ],
        "nurture_deliveries": [
            {
                "id": d.pk,
                "sequence": d.enrollment.sequence.name,
                "subject": d.step.subject,
                "status": d.status,
                "sent_at": d.sent_at.isoformat() if d.sent_at else None,
            }
            for d in deliveries
        ],
        "record_emails": [
            {
                "id": r.pk,
                "to": r.to_email,
                "subject": r.subject,
                "body": r.body_text,
                "status": r.status,
                "created_at": r.created_at.isoformat(),
            }
            for r in record_emails
        ],
        "replies": [
            {"id": i.pk, "from": i.from_email, "subject": i.subject}
            for i in InboundEmail.objects.filter(_inbound(email, lead_ids, contact_ids)).order_by("pk")
        ],
        "tracking_hits": [
            {
                "kind": h.kind,
                "url": h.url,
                "user_agent": h.user_agent,
                "count": h.count,
                "first_at": h.first_at.isoformat(),
                "last_at": h.last_at.isoformat(),
            }
            for h in TrackingHit.objects.filter(_hits(lead_ids, record_emails)).order_by("first_at", "id")
        ],
    }


@transaction.atomic
def erase_person_email(email: str, *, lead_ids: list[int], contact_ids: list[int]) -> dict[str, int]:
    """Delete the person's tracking hits, scrub the emails sent to them and their replies; return counts."""
    record_emails = RecordEmail.objects.filter(_record_emails(email, lead_ids, contact_ids))
    hits, _ = TrackingHit.objects.filter(_hits(lead_ids, record_emails.values("pk"))).delete()
    scrubbed = record_emails.update(to_email="", subject=ERASED_TEXT, body_text="")
    replies = InboundEmail.objects.filter(_inbound(email, lead_ids, contact_ids)).update(
        from_email="", subject=ERASED_TEXT
    )
    # Nurture never stores a delivery's body (it is rendered from the step when sent): a sending error may quote
    # the address, so that goes.
    deliveries = Delivery.objects.filter(enrollment__lead_id__in=lead_ids).exclude(error="").update(error="")
    return {
        "tracking_hits_deleted": hits,
        "record_emails_scrubbed": scrubbed,
        "replies_scrubbed": replies,
        "delivery_errors_scrubbed": deliveries,
    }


def purge_tracking_hits_before(cutoff) -> int:
    """Delete the opens and clicks last seen before `cutoff`; return how many."""
    return delete_in_batches(TrackingHit.objects.filter(last_at__lt=cutoff))
