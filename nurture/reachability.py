"""Whether any email may reach a lead or a contact at all — the one check behind sending, nurture and tracking."""

from __future__ import annotations

from nurture.models import Enrollment

Reason = Enrollment.StopReason


def unreachable(record) -> str:
    """Return why no email may reach `record` (a lead or a contact), as a stop reason, or "" when one may.

    Unsubscribed and bouncing apply to leads (contacts have neither); do-not-contact and a missing address to both.
    """
    if getattr(record, "unsubscribed_at", None) is not None:
        return Reason.UNSUBSCRIBED
    if record.do_not_contact:
        return Reason.DO_NOT_CONTACT
    if getattr(record, "email_bounced_at", None) is not None:
        return Reason.BOUNCED
    if not record.email:
        return Reason.NO_EMAIL
    return ""
