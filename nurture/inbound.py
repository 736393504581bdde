"""What a mail provider posts when a reply arrives, read into one shape (no writes here).

Two providers' shapes are understood, and a post may mix them:
- Postmark's inbound JSON: `From`, `FromFull.Email`, `To`, `ToFull[].Email`, `CcFull`, `OriginalRecipient`,
  `Subject`, `TextBody`, `StrippedTextReply`, `HtmlBody`, `MessageID`, `Headers` (`[{"Name", "Value"}]`);
- Mailgun's parsed message (form fields or JSON): `sender`, `from`, `recipient`, `subject`, `body-plain`,
  `stripped-text`, `body-html`, `Message-Id`, `In-Reply-To`, `References`, `message-headers`.

The reply token is looked for in the recipients (`reply+<token>@…`) and in In-Reply-To / References
(`<token@…>`, the Message-ID of the email it answers). Text is stripped of NUL characters (PostgreSQL can't store
them) and of line breaks in headers.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from email.utils import getaddresses, parseaddr
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.html import strip_tags

from nurture.exceptions import InboundEmailRefused
from nurture.rendering import strip_header

TOKEN_IN_RECIPIENT = re.compile(r"reply\+([0-9a-f]{24})@", re.IGNORECASE)
TOKEN_IN_MESSAGE_ID = re.compile(r"<([0-9a-f]{24})@", re.IGNORECASE)
BODY_LIMIT = 20_000


@dataclass
class InboundMessage:
    message_id: str
    sender: str
    subject: str
    text: str
    recipients: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> list[str]:
        """Reply tokens, best first: the recipient address (exact), then the answered Message-IDs."""
        found = [m.lower() for r in self.recipients for m in TOKEN_IN_RECIPIENT.findall(r)]
        found += [m.lower() for r in self.references for m in TOKEN_IN_MESSAGE_ID.findall(r)]
        return list(dict.fromkeys(found))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):  # a repeated form field
        value = value[0] if value else ""
    if isinstance(value, dict | list | bool | int | float):
        return ""
    return str(value).replace("\x00", "")


def _headers(data: dict) -> dict[str, str]:
    """Postmark's `Headers` and Mailgun's `message-headers`, lower-cased names; malformed entries are skipped."""
    pairs: list = []
    postmark = data.get("Headers")
    if isinstance(postmark, list):
        pairs += [(h.get("Name"), h.get("Value")) for h in postmark if isinstance(h, dict)]
    mailgun = data.get("message-headers")
    if isinstance(mailgun, str):
        try:
            mailgun = json.loads(mailgun)
        except ValueError:
            mailgun = None
    if isinstance(mailgun, list):
        pairs += [tuple(h) for h in mailgun if isinstance(h, list | tuple) and len(h) == 2]
    headers: dict[str, str] = {}
    for name, value in pairs:
        name, value = _text(name).strip().lower(), _text(value)
        if name and name not in headers:
            headers[name] = value
    return headers


def _address(value: str) -> str:
    email = parseaddr(strip_header(value))[1].strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        return ""
    return email


def _sender(data: dict, headers: dict[str, str]) -> str:
    full = data.get("FromFull")
    candidates = [full.get("Email") if isinstance(full, dict) else None, data.get("From"), data.get("sender")]
    candidates += [data.get("from"), headers.get("from")]
    for candidate in candidates:
        email = _address(_text(candidate))
        if email:
            return email
    return ""


def _recipients(data: dict, headers: dict[str, str]) -> list[str]:
    found: list[str] = []
    for name in ("ToFull", "CcFull", "BccFull"):
        entries = data.get(name)
        if isinstance(entries, list):
            found += [_text(e.get("Email")) for e in entries if isinstance(e, dict)]
    for name in ("To", "Cc", "OriginalRecipient", "recipient"):
        text = _text(data.get(name))
        if text:
            found += [email for _, email in getaddresses([text])] or [text]
    for name in ("to", "cc", "delivered-to", "x-original-to"):
        if headers.get(name):
            found += [email for _, email in getaddresses([headers[name]])]
    return [r.strip() for r in found if r and r.strip()]


def _references(data: dict, headers: dict[str, str]) -> list[str]:
    values = [_text(data.get("In-Reply-To")), _text(data.get("References"))]
    values += [headers.get("in-reply-to", ""), headers.get("references", "")]
    return [v for v in values if v]


def _body(data: dict) -> str:
    for name in ("StrippedTextReply", "stripped-text", "TextBody", "body-plain"):
        text = _text(data.get(name)).strip()
        if text:
            return text[:BODY_LIMIT]
    html = _text(data.get("HtmlBody")) or _text(data.get("body-html")) or _text(data.get("stripped-html"))
    return strip_tags(html).strip()[:BODY_LIMIT]


def parse_inbound(data: Any) -> InboundMessage:
    """Read a provider's post into an `InboundMessage`.

    Raises:
        InboundEmailRefused: not a JSON object or form, or no sender address (naming the fields looked at).
    """
    if not isinstance(data, dict):
        raise InboundEmailRefused(reason="The body must be a JSON object (or a form) describing one email.")
    headers = _headers(data)
    sender = _sender(data, headers)
    if not sender:
        raise InboundEmailRefused(
            reason="No sender address: send From or FromFull.Email (Postmark) or sender (Mailgun).", field="From"
        )
    subject = strip_header(_text(data.get("Subject")) or _text(data.get("subject")) or headers.get("subject", ""))
    text = _body(data)
    message_id = strip_header(
        _text(data.get("MessageID"))
        or _text(data.get("Message-Id"))
        or _text(data.get("Message-ID"))
        or headers.get("message-id", "")
    )
    if not message_id:
        # No id to deduplicate on: the same sender, subject and text are the same email.
        digest = hashlib.sha256("\n".join((sender, subject, text)).encode()).hexdigest()
        message_id = f"sha256:{digest}"
    return InboundMessage(
        message_id=message_id[:255],
        sender=sender,
        subject=subject[:255],
        text=text,
        recipients=_recipients(data, headers),
        references=_references(data, headers),
    )
