from django import forms

from users.models import Team
from workspace.models import ListKey, SavedView


class SaveViewForm(forms.Form):
    """The "Save view" form under a list: the name the rep types, the list and its query string (hidden), and for a
    manager the team to share it with (the service refuses a team they don't manage)."""

    name = forms.CharField(max_length=SavedView._meta.get_field("name").max_length, label="View name")
    list_key = forms.ChoiceField(choices=ListKey.choices, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    shared_with_team = forms.ModelChoiceField(queryset=Team.objects.all(), required=False, label="Share with")


class RenameViewForm(forms.Form):
    name = forms.CharField(max_length=SavedView._meta.get_field("name").max_length, label="New name")
