"""The contact form: it parses input; contacts.services writes."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy

from accounts.models import Account
from contacts.models import Contact
from core.forms import ComboboxInput, duplicate_hint
from users.forms import set_owner_field

FORM_FIELDS = [
    "first_name",
    "last_name",
    "account",
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
    """Create or edit a contact; the account is picked among the visible ones, managers also pick the owner."""

    class Meta:
        model = Contact
        fields = FORM_FIELDS
        widgets = {
            "account": ComboboxInput(source=reverse_lazy("accounts:autocomplete")),
            "description": forms.Textarea(attrs={"rows": 4}),
        }
        error_messages = {"account": {"invalid_choice": "Pick an account from the list."}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.visible_to(user)
        self.fields["email"].widget.attrs.update(
            duplicate_hint(reverse_lazy("contacts:duplicates"), "email", exclude=self.instance.pk)
        )
        set_owner_field(self, user, owner=self.instance.owner, creating=not self.instance.pk)

    def _post_clean(self):
        # The service validates the model; the form only parses fields.
        pass
