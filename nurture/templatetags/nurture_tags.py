"""Nurture on the lead page: `{% load nurture_tags %}{% lead_nurture lead user %}`.

The tag lives in nurture because leads must not import nurture; the lead page depends on it only in its template.
"""

from __future__ import annotations

from django import template

from nurture.forms import EnrollForm
from nurture.selectors import list_lead_enrollments

register = template.Library()


@register.inclusion_tag("nurture/_lead_nurture.html", takes_context=True)
def lead_nurture(context, lead, user) -> dict:
    """Render a lead's enrollments and the form to enrol it (two queries); nothing for a converted lead."""
    if lead.is_converted:
        return {"hidden": True}
    form = EnrollForm(user=user)
    return {
        "lead": lead,
        "enrollments": list_lead_enrollments(lead, user),
        "form": form,
        "sequences": list(form.fields["sequence"].queryset),
        "can_enroll": lead.unsubscribed_at is None and not lead.do_not_contact and bool(lead.email),
        "csrf_token": context.get("csrf_token"),
    }
