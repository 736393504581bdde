"""The account form: it parses input; accounts.services writes."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy

from accounts.models import Account
from accounts.services import EDITABLE_FIELDS
from core.forms import ComboboxInput, duplicate_hint
from users.forms import set_owner_field


class AccountForm(forms.ModelForm):
    """Create or edit an account; the parent is picked among the visible accounts, managers also pick the owner."""

    class Meta:
        model = Account
        fields = EDITABLE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "website": forms.TextInput(attrs={"placeholder": "example.com"}),
            "parent": ComboboxInput(source=reverse_lazy("accounts:autocomplete")),
        }
        error_messages = {"parent": {"invalid_choice": "Pick a parent account from the list."}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        exclude = self.instance.pk
        self.fields["parent"].queryset = Account.objects.visible_to(user)
        url = reverse_lazy("accounts:duplicates")
        self.fields["name"].widget.attrs.update(duplicate_hint(url, "name", exclude=exclude))
        self.fields["website"].widget.attrs.update(duplicate_hint(url, "domain", exclude=exclude))
        set_owner_field(self, user, owner=self.instance.owner, creating=not self.instance.pk)

    def _post_clean(self):
        # The service validates the model; the form only parses fields.
        pass
