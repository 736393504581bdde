"""Opportunity forms: they parse input; opportunities.services writes."""

from __future__ import annotations

from django import forms

from opportunities.models import Opportunity, Stage


class StageForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=Stage.objects.all(), empty_label=None)
    lost_reason = forms.CharField(required=False, max_length=255, label="Lost reason")

    def clean(self):
        data = super().clean()
        stage = data.get("stage")
        if stage is not None and stage.is_closed and not stage.is_won and not (data.get("lost_reason") or "").strip():
            self.add_error("lost_reason", "Say why the deal was lost.")
        return data


class OpportunityForm(forms.ModelForm):
    class Meta:
        model = Opportunity
        fields = ["name", "amount", "close_date", "probability", "next_step", "description"]
        widgets = {
            "close_date": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def _post_clean(self):
        # The service validates the model; the form only parses fields.
        pass


class BoardFilterForm(forms.Form):
    owner = forms.ChoiceField(required=False)
    close_month = forms.CharField(
        required=False, label="Close month", widget=forms.DateInput(attrs={"type": "month"}), max_length=7
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Everyone I can see"), *((str(u.pk), u.display_name) for u in owners)]

    def clean_close_month(self):
        value = self.cleaned_data["close_month"].strip()
        if not value:
            return None
        try:
            year, month = (int(part) for part in value.split("-"))
            if not 1 <= month <= 12:
                raise ValueError
        except ValueError:
            raise forms.ValidationError("Use the form YYYY-MM.")
        return year, month
