"""Nurture on the lead page: `{% load nurture_tags %}{% lead_nurture lead user %}`.

The tag lives in nurture because leads must not import nurture; the lead page depends on it only in its template.
"""

from __future__ import annotations

from django import template

from nurture.forms import EnrollForm
from nurture.rendering import merge_values, render_text, strip_header
from nurture.selectors import list_lead_enrollments

register = template.Library()


@register.inclusion_tag("nurture/_lead_nurture.html", takes_context=True)
def lead_nurture(context, lead, user) -> dict:
    """Render a lead's enrollments and the form to enrol it (two queries); nothing for a converted lead."""
    if lead.is_converted:
        return {"hidden": True}
    form = EnrollForm(user=user)
    enrollments = list_lead_enrollments(lead, user)
    values = merge_values(lead, unsubscribe_url="")
    for enrollment in enrollments:
        # Subjects as this lead gets them, through the same safe renderer as the emails.
        step = enrollment.current_step
        enrollment.next_subject = strip_header(render_text(step.subject, values)) if step else ""
        enrollment.last_subject = strip_header(render_text(enrollment.last_delivery_subject or "", values))
    return {
        "lead": lead,
        "enrollments": enrollments,
        "form": form,
        "sequences": list(form.fields["sequence"].queryset),
        "can_enroll": lead.unsubscribed_at is None and not lead.do_not_contact and bool(lead.email),
        "csrf_token": context.get("csrf_token"),
    }
