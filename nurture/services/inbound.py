"""Replies: attach an email a mail provider posted to the lead or contact it answers.

Matching, best first:
1. a reply token (`nurture.inbound.InboundMessage.tokens`) of an email sent from a record → that email's record;
2. the sender's address → the record of the newest email sent from a record to that address (so when a lead and a
   contact share it, the one last written to wins), else the newest open lead with it, else the newest contact.
No match writes nothing. A match, in one transaction: the `InboundEmail` row (its unique Message-ID makes a repeat
post a no-op), an email activity with the reply on the record's timeline, a "reply" event (engagement: scoring
counts it, through `activity.recorded`) and, for a lead, nurture's exit conditions applied at once, so sequences
that stop on a reply stop now. A reply to a converted lead also lands on the contact it became.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from activities.models import Activity
from activities.services import log_activity, record_event
from contacts.models import Contact
from leads.models import Lead
from nurture.inbound import InboundMessage
from nurture.models import InboundEmail, RecordEmail
from nurture.services.enrollment import apply_exit_conditions


@dataclass
class Match:
    lead: Lead | None
    contact: Contact | None
    record_email: RecordEmail | None
    matched_by: str


@dataclass
class InboundResult:
    matched: bool
    duplicate: bool = False
    inbound: InboundEmail | None = None

    def as_json(self) -> dict:
        if not self.matched:
            return {"matched": False}
        inbound = self.inbound
        record = (
            {"type": "lead", "id": inbound.lead_id}
            if inbound.lead_id
            else {"type": "contact", "id": inbound.contact_id}
        )
        return {
            "matched": True,
            "duplicate": self.duplicate,
            "record": record,
            "matched_by": inbound.matched_by,
            "activity": inbound.activity_id,
        }


def _from_email(email: RecordEmail, matched_by: str) -> Match:
    return Match(lead=email.lead, contact=email.contact, record_email=email, matched_by=matched_by)


def find_match(message: InboundMessage) -> Match | None:
    """Return the record `message` answers (by reply token, else by sender address), or None."""
    emails = RecordEmail.objects.select_related("lead", "contact")
    tokens = message.tokens
    if tokens:
        by_token = {e.reply_token: e for e in emails.filter(reply_token__in=tokens)}
        for token in tokens:
            if token in by_token:
                return _from_email(by_token[token], InboundEmail.MatchedBy.TOKEN)
    latest = emails.filter(to_email=message.sender).order_by("-created_at", "-id").first()
    if latest is not None:
        return _from_email(latest, InboundEmail.MatchedBy.ADDRESS)
    lead = (
        Lead.objects.filter(email=message.sender)
        .exclude(status=Lead.Status.CONVERTED)
        .order_by("-created_at", "-id")
        .first()
    )
    if lead is not None:
        return Match(lead=lead, contact=None, record_email=None, matched_by=InboundEmail.MatchedBy.ADDRESS)
    contact = Contact.objects.filter(email__iexact=message.sender).order_by("-created_at", "-id").first()
    if contact is not None:
        return Match(lead=None, contact=contact, record_email=None, matched_by=InboundEmail.MatchedBy.ADDRESS)
    return None


@transaction.atomic
def receive_inbound_email(message: InboundMessage) -> InboundResult:
    """Attach a posted reply to its record's timeline as engagement, once per Message-ID; no match writes nothing."""
    existing = InboundEmail.objects.filter(message_id=message.message_id).first()
    if existing is not None:
        return InboundResult(matched=True, duplicate=True, inbound=existing)
    match = find_match(message)
    if match is None:
        return InboundResult(matched=False)
    lead, contact = match.lead, match.contact
    if lead is not None:
        lead = Lead.objects.select_for_update(of=("self",)).get(pk=lead.pk)
        if lead.status == Lead.Status.CONVERTED and lead.converted_contact_id:
            contact = Contact.objects.get(pk=lead.converted_contact_id)
    inbound = InboundEmail(
        message_id=message.message_id,
        lead=lead,
        contact=contact,
        record_email=match.record_email,
        from_email=message.sender,
        subject=message.subject,
        matched_by=match.matched_by,
    )
    try:
        with transaction.atomic():
            inbound.save()
    except IntegrityError:  # the same post, delivered twice at once: the other one recorded it
        return InboundResult(
            matched=True, duplicate=True, inbound=InboundEmail.objects.get(message_id=inbound.message_id)
        )
    records = {name: value for name, value in (("lead", lead), ("contact", contact)) if value is not None}
    subject = message.subject or "(no subject)"
    activity = log_activity(
        by=None,
        kind=Activity.Kind.EMAIL,
        subject=f"Reply from {message.sender}: {subject}"[:255],
        body=message.text,
        completed_at=timezone.now(),
        **records,
    )
    record_event(
        "reply",
        f"Replied to an email: {subject}",
        data={"inbound_email": inbound.pk, "record_email": match.record_email and match.record_email.pk},
        **records,
    )
    InboundEmail.objects.filter(pk=inbound.pk).update(activity=activity)
    inbound.activity = activity
    if lead is not None:
        apply_exit_conditions(lead.pk)
    return InboundResult(matched=True, inbound=inbound)
