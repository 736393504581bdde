"""The owner picker of the record forms (managers and admins choose among the active users they can see), and the
forms of two-factor sign-in."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from users.models import User


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


def set_owner_field(form: forms.Form, user: User, *, owner: User | None = None, creating: bool) -> None:
    """Give `form` an `owner` choice for managers and admins (a new record starts as theirs); reps get none.

    Editing may leave a record unassigned; a new record always has an owner (the services default it to the
    acting user, so an "Unassigned" choice there would be a lie).
    """
    if not user.can_manage:
        form.fields.pop("owner", None)
        return
    choices = Q(pk__in=User.objects.visible_to(user).filter(is_active=True).values("pk"))
    if owner is not None:
        choices |= Q(pk=owner.pk)  # the current owner stays on the list, even when inactive: saving keeps them
    queryset = User.objects.filter(choices).order_by("username")
    field = OwnerChoiceField(
        queryset=queryset,
        required=creating,
        empty_label=None if creating else "Unassigned",
        error_messages={"invalid_choice": "Pick an owner from the list."},
    )
    field.initial = user.pk if creating else (owner.pk if owner else None)
    form.fields["owner"] = field


class TwoFactorCodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=32,
        help_text="The 6-digit code your authenticator app shows now, or one of your recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
        error_messages={"required": "Enter the code from your authenticator app."},
    )


class DisableTwoFactorForm(forms.Form):
    code = forms.CharField(
        label="A current code or a recovery code",
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false"}),
    )
    password = forms.CharField(
        label="Or your password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("code") and not cleaned_data.get("password"):
            raise forms.ValidationError("Enter a current code from your app, a recovery code, or your password.")
        return cleaned_data
