"""`{% qualification_panel lead as panel %}`: what the lead page's qualification checklist panel shows."""

from __future__ import annotations

from django import template

from leads.forms import QualificationForm
from leads.models import Lead
from leads.qualification import FRAMEWORK_LABELS, checklist, current_framework

register = template.Library()


@register.simple_tag
def qualification_panel(lead: Lead, form: QualificationForm | None = None) -> dict:
    """The framework's name, each item with its answers and state, and the form to edit them (a bound one after
    a refused save)."""
    items = checklist(lead)
    return {
        "framework": FRAMEWORK_LABELS[current_framework()],
        "items": items,
        "missing": [item["label"] for item in items if not item["complete"]],
        "form": form or QualificationForm(instance=lead),
    }
