"""The contact edit form: it parses input; contacts.services writes."""

from __future__ import annotations

from django import forms

from contacts.models import Contact

# The primary account is set by conversion; moving a contact between accounts is rare and stays in the admin.
FORM_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "title",
    "department",
    "mailing_street",
    "mailing_city",
    "mailing_state",
    "mailing_postal_code",
    "mailing_country",
    "do_not_contact",
    "description",
]


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = FORM_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def _post_clean(self):
        # The service validates the model; the form only parses fields.
        pass
