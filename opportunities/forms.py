"""Opportunity forms: they parse input; opportunities.services writes."""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy

from accounts.models import Account
from contacts.models import Contact
from core.forms import ComboboxInput
from opportunities.forecasting import OPEN_CATEGORIES
from opportunities.models import ForecastCategory, Opportunity, Stage
from opportunities.services import ContactRole, first_open_stage
from users.forms import set_owner_field


class StageForm(forms.Form):
    stage = forms.ModelChoiceField(queryset=Stage.objects.all(), empty_label=None)
    lost_reason = forms.CharField(required=False, max_length=255, label="Lost reason")

    def clean(self):
        data = super().clean()
        stage = data.get("stage")
        if stage is not None and stage.is_closed and not stage.is_won and not (data.get("lost_reason") or "").strip():
            self.add_error("lost_reason", "Say why the deal was lost.")
        return data


class ForecastForm(forms.Form):
    """The owner's forecast category for an open deal, with the note that says why."""

    forecast_category = forms.ChoiceField(choices=[(c, ForecastCategory(c).label) for c in OPEN_CATEGORIES])
    forecast_note = forms.CharField(
        required=False, max_length=500, label="Why", help_text="Needed when it differs from the stage's category."
    )


class OpportunityForm(forms.ModelForm):
    """Create or edit a deal: its account, stage, amount, close date, contact roles; managers also pick the owner.

    The contact roles are rows of a contact (picked among the visible contacts, the picker narrowed to the chosen
    account) and a role name, one row marked primary: the existing roles plus ROLE_ROWS_EXTRA empty rows, at least
    ROLE_ROWS_MIN. `service_data()` is what create_opportunity / update_opportunity take.
    """

    ROLE_ROWS_MIN = 3
    ROLE_ROWS_EXTRA = 2

    amount = forms.DecimalField(required=False, min_value=0, max_digits=14, decimal_places=2)
    probability = forms.IntegerField(min_value=0, max_value=100, label="Probability (%)")
    primary_role = forms.TypedChoiceField(required=False, coerce=int, widget=forms.RadioSelect)

    class Meta:
        model = Opportunity
        fields = [
            "name",
            "account",
            "stage",
            "amount",
            "close_date",
            "probability",
            "next_step",
            "lost_reason",
            "description",
        ]
        widgets = {
            "account": ComboboxInput(source=reverse_lazy("accounts:autocomplete")),
            "close_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {"account": {"invalid_choice": "Pick an account from the list."}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = Account.objects.visible_to(user)
        self.fields["stage"].queryset = Stage.objects.order_by("order", "id")
        self.fields["stage"].empty_label = None
        if self.instance.pk:
            self.fields["lost_reason"].help_text = "Needed when the deal moves to a lost stage."
        else:
            # A new deal takes its probability from its stage and is not lost yet.
            del self.fields["probability"], self.fields["lost_reason"]
            self.fields["stage"].initial = first_open_stage()
        set_owner_field(self, user, owner=self.instance.owner, creating=not self.instance.pk)
        self._add_role_rows(user)

    def _add_role_rows(self, user) -> None:
        existing = list(self.instance.contact_roles.select_related("contact")) if self.instance.pk else []
        self.role_count = max(len(existing) + self.ROLE_ROWS_EXTRA, self.ROLE_ROWS_MIN)
        contacts = Contact.objects.visible_to(user)
        for index in range(self.role_count):
            role = existing[index] if index < len(existing) else None
            widget = ComboboxInput(source=reverse_lazy("contacts:autocomplete"), filter_field="account")
            contact = forms.ModelChoiceField(
                queryset=contacts,
                required=False,
                label=f"Contact {index + 1}",
                widget=widget,
                initial=role.contact_id if role else None,
                error_messages={"invalid_choice": "Pick a contact of the account from the list."},
            )
            if role:
                widget.labels[str(role.contact_id)] = str(role.contact)
            self.fields[f"role_contact_{index}"] = contact
            self.fields[f"role_name_{index}"] = forms.CharField(
                required=False,
                max_length=100,
                label=f"Role {index + 1}",
                initial=role.role if role else "",
                widget=forms.TextInput(attrs={"list": "contact-role-names"}),
            )
        self.fields["primary_role"].choices = [(index, "Primary") for index in range(self.role_count)]
        primary = next((index for index, role in enumerate(existing) if role.is_primary), None)
        self.fields["primary_role"].initial = primary

    def main_fields(self) -> list:
        return [field for field in self.visible_fields() if not field.name.startswith(("role_", "primary_role"))]

    def role_rows(self) -> list[dict]:
        primary = str(self["primary_role"].value())
        return [
            {
                "index": index,
                "contact": self[f"role_contact_{index}"],
                "role": self[f"role_name_{index}"],
                "primary": primary == str(index),
            }
            for index in range(self.role_count)
        ]

    def clean(self):
        data = super().clean()
        roles, seen = [], set()
        for index in range(self.role_count):
            name = f"role_contact_{index}"
            contact, role = data.get(name), (data.get(f"role_name_{index}") or "").strip()
            if contact is None:
                if role and name not in self.errors:
                    self.add_error(name, "Pick the contact who plays this role.")
                continue
            self.fields[name].widget.labels[str(contact.pk)] = str(contact)
            if contact.pk in seen:
                self.add_error(name, "This contact already has a role on the deal.")
                continue
            seen.add(contact.pk)
            roles.append(ContactRole(contact=contact, role=role, is_primary=data.get("primary_role") == index))
        data["contact_roles"] = roles
        if self.instance.pk and "stage" in self.changed_data and "probability" not in self.changed_data:
            # A new stage brings its own probability unless the user typed another one too.
            data.pop("probability", None)
        return data

    def service_data(self) -> dict:
        """The cleaned fields the services take (role rows folded into `contact_roles`)."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if not name.startswith("role_") and name != "primary_role"
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
