"""Email from a record: a rep writes to one lead or contact from its page, optionally from a template.

1. `queue_record_email` re-reads the recipient under a lock, refuses anyone who may not be emailed (do-not-contact,
   unsubscribed, converted lead, no address), renders the merge fields with nurture's safe renderer and writes one
   `RecordEmail` row (status queued) with a fresh reply token; after commit its own event kicks the send.
2. `send_record_email` claims the row with a conditional UPDATE (queued → sending): a second run, a second worker
   or the sweeper finds nothing to claim, so the email goes out at most once. It checks the recipient again (they
   may have opted out meanwhile: cancelled), sends through Django's email backend with Reply-To
   `reply+<token>@<FUNNEL_REPLY_DOMAIN>` and Message-ID `<token@domain>`, then marks the row sent and logs an
   email activity on the record's timeline. A backend error marks it failed; like nurture steps it is never
   retried, as the server may have accepted it.
3. `sweep_record_emails` (on the nurture sweep) sends rows whose kick was lost and flags rows a dead sender left
   "sending" as unknown.

The sent email is an email activity on the timeline, but not a reply: `replied_since` skips activities that a
`RecordEmail` logged, so a rep writing does not end the lead's nurture; the lead's answer does.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from email.utils import formataddr, parseaddr
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.utils import timezone

from activities.models import Activity
from activities.services import log_activity
from contacts.models import Contact
from core.events import publish
from core.suppression import is_suppressed
from leads.models import Lead
from nurture.events import NurtureEvent
from nurture.exceptions import RecipientNotEmailable
from nurture.models import EmailTemplate, RecordEmail
from nurture.reachability import Reason, unreachable
from nurture.rendering import RenderedEmail, address, merge_values, render_text, strip_header, unknown_merge_fields
from nurture.tokens import unsubscribe_url
from nurture.tracking import add_tracking, new_tracking_token, text_to_html, tracking_allowed
from users.models import User

logger = logging.getLogger(__name__)

Record = Lead | Contact
Status = RecordEmail.Status
# A queued row this old lost its kick (broker down): the sweeper sends it.
QUEUED_GRACE = timedelta(minutes=1)
# A row still "sending" after this long belongs to a sender that died.
STALE_SENDING_AFTER = timedelta(minutes=15)
BODY_LIMIT = 20_000


def reply_domain() -> str:
    """The domain of reply addresses and Message-IDs: FUNNEL_REPLY_DOMAIN, else the site's host."""
    return settings.FUNNEL_REPLY_DOMAIN or urlsplit(settings.SITE_URL).hostname or "localhost"


def reply_address(token: str) -> str:
    return f"reply+{token}@{reply_domain()}"


def message_id_for(token: str) -> str:
    return f"<{token}@{reply_domain()}>"


def record_kind(record: Record) -> str:
    return "lead" if isinstance(record, Lead) else "contact"


def record_values(record: Record) -> dict[str, str]:
    """Return the merge-field values for a lead or a contact (owner and, for a contact, account loaded)."""
    if isinstance(record, Lead):
        return merge_values(record, unsubscribe_url=unsubscribe_url(record.pk))
    owner = record.owner
    return {
        "first_name": record.first_name or "",
        "last_name": record.last_name or "",
        "full_name": record.full_name,
        "company": record.account.name if record.account_id else "",
        "title": record.title or "",
        "email": record.email or "",
        "city": record.mailing_city or "",
        "country": record.mailing_country or "",
        "owner_name": owner.display_name if owner else "",
        "owner_email": owner.email if owner else "",
        "unsubscribe_url": "",
    }


def check_merge_fields(*, subject: str, body: str) -> None:
    """Raises ValidationError naming `subject` or `body` when they use a placeholder that is not a merge field."""
    errors = {}
    for field, text in (("subject", subject), ("body", body)):
        unknown = unknown_merge_fields(text or "")
        if unknown:
            errors[field] = f"Unknown merge field(s): {', '.join(sorted(unknown))}."
    if errors:
        raise ValidationError(errors)


def render_record_email(record: Record, *, subject: str, body: str) -> RenderedEmail:
    """Render what `record` would receive: merge fields filled once, by the safe renderer; the subject on one line."""
    values = record_values(record)
    return RenderedEmail(
        subject=strip_header(render_text(subject, values))[:255],
        body_text=render_text(body, values)[:BODY_LIMIT],
        body_html="",
    )


REFUSALS = {
    Reason.UNSUBSCRIBED: "the {kind} unsubscribed from email",
    Reason.BOUNCED: "the {kind}'s email address bounced",
    Reason.DO_NOT_CONTACT: "the {kind} is marked do not contact",
    Reason.NO_EMAIL: "the {kind} has no email address",
}


def refusal_reason(record: Record) -> str:
    """Return why `record` must not be emailed from its page, or "" when it may."""
    if isinstance(record, Lead) and record.status == Lead.Status.CONVERTED:
        return "the lead was converted; write to its contact instead"
    blocked = unreachable(record)
    if not blocked and is_suppressed(record.email):
        return "this person asked to be erased"
    return REFUSALS[blocked].format(kind=record_kind(record)) if blocked else ""


def check_emailable(record: Record) -> None:
    """Raises RecipientNotEmailable when `record` must not be emailed."""
    reason = refusal_reason(record)
    if reason:
        raise RecipientNotEmailable(reason=reason)


@transaction.atomic
def queue_record_email(
    record: Record, *, by: User, subject: str, body: str, template: EmailTemplate | None = None
) -> RecordEmail:
    """Write the email to one lead or contact (status queued) and kick its send after commit.

    Raises:
        RecipientNotEmailable: do-not-contact, unsubscribed, converted lead or no address; nothing is written.
        ValidationError: an unknown merge field, or an empty subject or body once rendered.
    """
    model = type(record)
    record = model.objects.select_for_update(of=("self",)).select_related("owner").get(pk=record.pk)
    if isinstance(record, Contact) and record.account_id:
        record.account  # noqa: B018 - loads the company name for {{ company }}
    check_emailable(record)
    check_merge_fields(subject=subject, body=body)
    rendered = render_record_email(record, subject=subject, body=body)
    errors = {}
    if not rendered.subject:
        errors["subject"] = "Write a subject."
    if not rendered.body_text.strip():
        errors["body"] = "Write the email."
    if errors:
        raise ValidationError(errors)
    token = secrets.token_hex(12)
    email = RecordEmail(
        template=template,
        sent_by=by,
        to_email=record.email,
        subject=rendered.subject,
        body_text=rendered.body_text,
        reply_token=token,
        tracking_token=new_tracking_token(),
        message_id=message_id_for(token),
        **{record_kind(record): record},
    )
    email.full_clean()
    email.save()
    publish(NurtureEvent.RECORD_EMAIL_QUEUED, email, by=by, data={record_kind(record): record.pk})
    return email


def build_record_message(email: RecordEmail, record: Record) -> EmailMultiAlternatives:
    """The email as sent: from the rep's name at the site's address, replies to the email's own reply address.

    When the recipient may be tracked (`nurture.tracking`), an HTML part made from the text carries the open pixel
    and tracked links.
    """
    from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    sender = email.sent_by.display_name if email.sent_by else parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=formataddr((strip_header(sender), from_address)) if sender else from_address,
        to=[address(record.full_name, email.to_email)],
        reply_to=[reply_address(email.reply_token)],
        headers={"Message-ID": email.message_id, "X-Funnel-Record-Email": str(email.pk)},
    )
    if email.tracking_token and tracking_allowed(record):
        message.attach_alternative(add_tracking(text_to_html(email.body_text), email.tracking_token), "text/html")
    return message


def send_record_email(record_email_id: int) -> bool:
    """Claim a queued email, send it once and log it on the record's timeline; return whether it went out."""
    if not RecordEmail.objects.filter(pk=record_email_id, status=Status.QUEUED).update(status=Status.SENDING):
        return False  # sent, being sent, or given up: never a second time
    email = RecordEmail.objects.select_related("lead__owner", "contact__owner", "contact__account", "sent_by").get(
        pk=record_email_id
    )
    record = email.lead or email.contact
    reason = refusal_reason(record)
    if reason:
        RecordEmail.objects.filter(pk=email.pk).update(status=Status.CANCELLED, error=f"Not sent: {reason}.")
        return False
    try:
        build_record_message(email, record).send()
    except Exception as exc:  # any backend error: not retried, the server may have accepted it
        logger.warning("record email %s failed: %s", email.pk, exc)
        RecordEmail.objects.filter(pk=email.pk).update(
            status=Status.FAILED, error=f"{exc.__class__.__name__}: {exc}"[:2000]
        )
        return False
    _mark_sent(email, record)
    return True


@transaction.atomic
def _mark_sent(email: RecordEmail, record: Record) -> None:
    now = timezone.now()
    activity = log_activity(
        by=email.sent_by,
        kind=Activity.Kind.EMAIL,
        subject=email.subject[:255],
        body=email.body_text,
        completed_at=now,
        **{record_kind(record): record},
    )
    RecordEmail.objects.filter(pk=email.pk).update(status=Status.SENT, sent_at=now, activity=activity)


def sweep_record_emails() -> int:
    """Send queued emails whose kick was lost; flag those a dead sender left "sending" as unknown. Return sent."""
    now = timezone.now()
    RecordEmail.objects.filter(status=Status.SENDING, created_at__lt=now - STALE_SENDING_AFTER).update(
        status=Status.UNKNOWN, error="The sender stopped before confirming; not resent."
    )
    stale = RecordEmail.objects.filter(status=Status.QUEUED, created_at__lt=now - QUEUED_GRACE).order_by("pk")
    return sum(send_record_email(pk) for pk in stale.values_list("pk", flat=True)[:500])
