"""Attachments on a record page: `{% load attachment_tags %}{% record_attachments %}` in record_detail.html.

The tag finds the record from the page's URL namespace (leads, contacts, accounts, opportunities) and the context
variable the record view names after its model, so the four record templates need no line of their own.
"""

from __future__ import annotations

from django import template

from activities.models import Attachment

register = template.Library()

RECORD_BY_NAMESPACE = {"leads": "lead", "contacts": "contact", "accounts": "account", "opportunities": "opportunity"}
SHOWN = 50


@register.inclusion_tag("activities/_attachments.html", takes_context=True)
def record_attachments(context) -> dict:
    """Render the record's attachments (one query) and the upload form; nothing on pages that are not a record's."""
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    record_name = RECORD_BY_NAMESPACE.get(getattr(match, "namespace", ""))
    record = context.get(record_name) if record_name else None
    if record is None or getattr(record, "pk", None) is None:
        return {"hidden": True}
    attachments = list(
        Attachment.objects.visible_to(request.user)
        .filter(**{record_name: record})
        .select_related("uploaded_by")[:SHOWN]
    )
    return {
        "record_name": record_name,
        "record": record,
        "attachments": attachments,
        "read_only": bool(getattr(record, "is_converted", False)),
        "csrf_token": context.get("csrf_token"),
    }
