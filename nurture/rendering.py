"""The safe renderer: `{{ name }}` merge fields from a whitelist, and nothing else.

No template engine ever sees step or lead text, so `{% … %}` tags, filters and attribute
lookups are plain text. Substitution is a single pass: a value containing `{{ … }}` is
not expanded again. Values are HTML-escaped in the HTML body and left as they are in the
plain body. Unknown placeholders are rejected when a step is saved (`Step.clean`); at send
time an unknown one is left as written, so a typo is visible rather than silently dropped.
Headers (subject, display names) lose every CR/LF, so no text can add a header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.utils import formataddr

from django.utils.html import escape

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
MERGE_FIELDS = (
    "first_name",
    "last_name",
    "full_name",
    "company",
    "title",
    "email",
    "city",
    "country",
    "owner_name",
    "owner_email",
    "unsubscribe_url",
)
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body_text: str
    body_html: str


def unknown_merge_fields(text: str) -> set[str]:
    """Return the placeholder names in `text` that are not merge fields."""
    return {name for name in PLACEHOLDER.findall(text) if name not in MERGE_FIELDS}


def strip_header(value: str) -> str:
    """Return `value` on one line: every line break becomes a space."""
    return _LINE_BREAKS.sub(" ", value or "").strip()


def merge_values(lead, *, unsubscribe_url: str) -> dict[str, str]:
    """Return the merge-field values for `lead` (owner loaded or None)."""
    owner = lead.owner
    return {
        "first_name": lead.first_name or "",
        "last_name": lead.last_name or "",
        "full_name": lead.full_name,
        "company": lead.company or "",
        "title": lead.title or "",
        "email": lead.email or "",
        "city": lead.city or "",
        "country": lead.country or "",
        "owner_name": owner.display_name if owner else "",
        "owner_email": owner.email if owner else "",
        "unsubscribe_url": unsubscribe_url,
    }


def render_text(template: str, values: dict[str, str], *, html: bool = False) -> str:
    """Replace each known `{{ name }}` in `template` with its value (HTML-escaped when `html`)."""

    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            return match.group(0)
        value = str(values[name])
        return escape(value) if html else value

    return PLACEHOLDER.sub(replace, template or "")


def render_step(step, values: dict[str, str]) -> RenderedEmail:
    """Render a step's subject, plain body and HTML body for one lead."""
    return RenderedEmail(
        subject=strip_header(render_text(step.subject, values)),
        body_text=render_text(step.body_text, values),
        body_html=render_text(step.body_html, values, html=True) if step.body_html else "",
    )


def address(name: str, email: str) -> str:
    """Return a To: value with the display name quoted and on one line."""
    return formataddr((strip_header(name), strip_header(email)))
