"""HTML forms of the nurture controls on the lead pages, and of the email written on a lead's or contact's page."""

from __future__ import annotations

from django import forms

from nurture.models import EmailTemplate
from nurture.selectors import list_enrollable_sequences
from users.models import User


class EnrollForm(forms.Form):
    """Pick the sequence to enrol a lead in."""

    sequence = forms.ModelChoiceField(
        queryset=None,
        label="Sequence",
        empty_label="— sequence —",
        error_messages={"required": "Choose a sequence.", "invalid_choice": "Choose an active sequence with steps."},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sequence"].queryset = list_enrollable_sequences(user)


class BulkEnrollForm(EnrollForm):
    """Enrol the leads selected in the lead list; the sequence is picked on the confirmation page."""

    MAX_LEADS = 200

    ids = forms.TypedMultipleChoiceField(
        coerce=int, choices=[], error_messages={"required": "Select some leads first."}
    )
    confirm = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raw_ids = self.data.getlist("ids") if hasattr(self.data, "getlist") else self.data.get("ids", [])
        self.fields["ids"].choices = [(value, value) for value in raw_ids if str(value).isdigit()]
        self.fields["sequence"].required = bool(self.data.get("confirm"))

    def clean_ids(self):
        ids = self.cleaned_data["ids"]
        if len(ids) > self.MAX_LEADS:
            raise forms.ValidationError(f"Pick at most {self.MAX_LEADS} leads at a time.")
        return ids


class RecordEmailForm(forms.Form):
    """Write an email on a lead's or contact's page; a template fills the subject and body left empty."""

    template = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label="Template",
        empty_label="— no template —",
        error_messages={"invalid_choice": "Choose an active template."},
    )
    subject = forms.CharField(max_length=255, required=False)
    body = forms.CharField(
        max_length=20_000, required=False, strip=False, widget=forms.Textarea(attrs={"rows": 12}), label="Message"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = EmailTemplate.objects.active()

    def clean(self):
        data = super().clean()
        template = data.get("template")
        if template is not None:
            data["subject"] = data.get("subject") or template.subject
            data["body"] = data.get("body") if (data.get("body") or "").strip() else template.body_text
        if not data.get("subject") and "subject" not in self.errors:
            self.add_error("subject", "Write a subject (or pick a template).")
        if not (data.get("body") or "").strip() and "body" not in self.errors:
            self.add_error("body", "Write the email (or pick a template).")
        return data
