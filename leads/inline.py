"""Inline edits of a lead's status, owner, phone and title (core.inline): the lead page and the lead list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from core.inline import InlineEditView, InlineField, model_field
from leads.forms import STATUS_CHOICES_FOR_REPS, OwnerChoiceField, StatusForm, owner_queryset
from leads.models import Lead
from leads.services.capture import change_lead_status, update_lead


def _status_field(view, lead):
    return forms.ChoiceField(choices=STATUS_CHOICES_FOR_REPS)


def _owner_field(view, lead):
    return OwnerChoiceField(queryset=owner_queryset(view.request.user), required=False, empty_label="Unassigned")


class LeadInlineView(InlineEditView):
    """Change one field of a lead the user can see; status changes may be undone, owners are the managers' to set."""

    model = Lead
    related = ("owner",)
    fields = {
        "status": InlineField(_status_field, input="select", undoable=True, needs_reason=frozenset({"unqualified"})),
        "owner": InlineField(_owner_field, input="select", managers_only=True),
        "phone": InlineField(model_field(Lead, "phone"), input="tel"),
        "title": InlineField(model_field(Lead, "title")),
    }

    def save(self, lead: Lead, name: str, value: Any, *, reason: str) -> Lead:
        by = self.request.user
        if name == "status":
            form = StatusForm({"status": value, "reason": reason})
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            return change_lead_status(lead, to=value, by=by, reason=reason)
        return update_lead(lead, by=by, data={name: value})

    def display(self, lead: Lead, name: str) -> str:
        if name == "owner":
            return lead.owner.display_name if lead.owner else "Unassigned"
        return super().display(lead, name)

    def undo_reason(self, lead: Lead, name: str) -> str:
        return lead.unqualified_reason if name == "status" and lead.status == Lead.Status.UNQUALIFIED else ""


lead_inline = LeadInlineView.as_view()
