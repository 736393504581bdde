"""The admins' webhook forms: an endpoint, a replay range."""

from __future__ import annotations

from django import forms

from integrations.webhooks.catalog import EVENT_TYPES


class EndpointForm(forms.Form):
    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="Where to POST events (http or https, a public address).",
        widget=forms.URLInput(attrs={"placeholder": "https://hooks.example.com/funnel"}),
    )
    description = forms.CharField(max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label="Event types",
        choices=[(name, f"{name} — {t.description}") for name, t in EVENT_TYPES.items()],
        widget=forms.CheckboxSelectMultiple,
    )


class EndpointEditForm(EndpointForm):
    is_active = forms.BooleanField(label="Active", required=False, help_text="Turn a disabled endpoint back on.")


class ReplayRangeForm(forms.Form):
    since = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    until = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
