"""Inline edits of a deal's amount, stage and close date (core.inline): the deal page and the opportunity list."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateformat import format as date_format

from core.inline import InlineEditView, InlineField, model_field
from core.templatetags.formatting import format_money
from opportunities.forms import StageForm
from opportunities.models import Opportunity, Stage
from opportunities.services import move_opportunity_stage, update_opportunity


def _stage_field(view, deal):
    return forms.ModelChoiceField(queryset=Stage.objects.order_by("order", "id"), empty_label=None)


class OpportunityInlineView(InlineEditView):
    """Change one field of a deal the user can see; stage moves may be undone, a lost stage asks why."""

    model = Opportunity
    related = ("stage", "owner")
    fields = {
        "amount": InlineField(model_field(Opportunity, "amount", min_value=0), input="number"),
        "stage": InlineField(_stage_field, input="select", undoable=True),
        "close_date": InlineField(model_field(Opportunity, "close_date"), input="date"),
    }

    def save(self, deal: Opportunity, name: str, value: Any, *, reason: str) -> Opportunity:
        by = self.request.user
        if name == "stage":
            form = StageForm({"stage": value.pk, "lost_reason": reason or deal.lost_reason})
            if not form.is_valid():
                raise ValidationError(form.errors.as_data())
            return move_opportunity_stage(deal, stage=value, by=by, lost_reason=reason)
        return update_opportunity(deal, by=by, data={name: value})

    def display(self, deal: Opportunity, name: str) -> str:
        if name == "amount":
            return format_money(deal.amount)
        if name == "close_date":
            return date_format(deal.close_date, "M j, Y") if deal.close_date else "—"
        return super().display(deal, name)

    def needs_reason(self, name: str, spec: InlineField) -> set[str]:
        if name != "stage":
            return set()
        return {str(pk) for pk in Stage.objects.filter(is_closed=True, is_won=False).values_list("pk", flat=True)}

    def undo_reason(self, deal: Opportunity, name: str) -> str:
        return deal.lost_reason if name == "stage" else ""


opportunity_inline = OpportunityInlineView.as_view()
