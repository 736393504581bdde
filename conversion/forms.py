"""The convert page's form: which account and contact the lead becomes, and the opportunity to open."""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import Account
from contacts.models import Contact
from conversion.selectors import Match
from conversion.services import NAME_SEPARATOR
from leads.models import Lead
from opportunities.models import Stage

REASONS = {
    "domain": "same company domain",
    "company_name": "same company name",
    "email": "same email",
    "name": "same name at a matching account",
}
NEW, OTHER = "new", "other"


def describe_reason(match: Match) -> str:
    """Say in words why a record was suggested."""
    reason = REASONS.get(match.reason, match.reason)
    if match.reason == "domain" and getattr(match.record, "domain", ""):
        reason = f"{reason} ({match.record.domain})"
    return reason


class ConvertLeadForm(forms.Form):
    """Where a lead goes: which account and contact (suggested, new or another) and the opportunity to open."""

    account = forms.ChoiceField(label="Account", widget=forms.RadioSelect)
    other_account = forms.ModelChoiceField(queryset=Account.objects.none(), required=False, label="Another account")
    contact = forms.ChoiceField(label="Contact", widget=forms.RadioSelect)
    other_contact = forms.ModelChoiceField(queryset=Contact.objects.none(), required=False, label="Another contact")
    create_opportunity = forms.BooleanField(required=False, initial=True, label="Create an opportunity")
    opportunity_name = forms.CharField(max_length=255, required=False, label="Opportunity name")
    amount = forms.DecimalField(max_digits=14, decimal_places=2, min_value=0, required=False, label="Amount")
    close_date = forms.DateField(required=False, label="Close date", widget=forms.DateInput(attrs={"type": "date"}))
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), required=False, label="Stage", empty_label=None)

    def __init__(
        self,
        *args: Any,
        lead: Lead,
        user,
        account_matches: list[Match],
        contact_matches: list[Match],
        suggested_account: Account | None,
        suggested_contact: Contact | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lead = lead
        self.accounts_by_id = {str(m.record.pk): m.record for m in account_matches}
        self.contacts_by_id = {str(m.record.pk): m.record for m in contact_matches}
        new_account_label = f"Create a new account “{lead.company}”" if lead.company else "Create a new account"
        self.fields["account"].choices = [
            *((str(m.record.pk), f"{m.record.name} — {describe_reason(m)}") for m in account_matches),
            (NEW, new_account_label),
            (OTHER, "Another account I choose below"),
        ]
        self.fields["contact"].choices = [
            *(
                (str(m.record.pk), f"{m.record.full_name} <{m.record.email}> — {describe_reason(m)}")
                for m in contact_matches
            ),
            (NEW, f"Create a new contact “{lead.full_name}”"),
            (OTHER, "Another contact of the chosen account"),
        ]
        self.fields["other_account"].queryset = Account.objects.visible_to(user).order_by("name", "id")
        self.fields["other_contact"].queryset = Contact.objects.visible_to(user).order_by(
            "last_name", "first_name", "id"
        )
        self.fields["stage"].queryset = Stage.objects.open().order_by("order", "id")
        self.initial.setdefault("account", str(suggested_account.pk) if suggested_account else NEW)
        self.initial.setdefault("contact", str(suggested_contact.pk) if suggested_contact else NEW)
        default_name = lead.company or lead.full_name
        self.fields["opportunity_name"].widget.attrs["placeholder"] = f"{default_name}{NAME_SEPARATOR}{lead.full_name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("account") == OTHER and not data.get("other_account"):
            self.add_error("other_account", "Choose the account.")
        if data.get("account") == NEW and not self.lead.company.strip():
            self.add_error("account", "The lead has no company: choose an existing account.")
        if data.get("contact") == OTHER and not data.get("other_contact"):
            self.add_error("other_contact", "Choose the contact.")
        return data

    def conversion_options(self) -> dict[str, Any]:
        """Return the keyword arguments of `convert_lead` the form's answers mean."""
        data = self.cleaned_data
        account = data["account"]
        account = data["other_account"] if account == OTHER else self.accounts_by_id.get(account, NEW)
        contact = data["contact"]
        contact = data["other_contact"] if contact == OTHER else self.contacts_by_id.get(contact, NEW)
        overrides = {
            "name": data.get("opportunity_name") or None,
            "amount": data.get("amount"),
            "close_date": data.get("close_date"),
            "stage": data.get("stage"),
        }
        return {
            "account": account,
            "contact": contact,
            "create_opportunity": bool(data.get("create_opportunity")),
            "opportunity": {key: value for key, value in overrides.items() if value is not None},
        }
