"""The campaign form: it parses input; campaigns.services writes."""

from __future__ import annotations

from django import forms

from campaigns.models import Campaign
from campaigns.services import EDITABLE_FIELDS
from users.forms import set_owner_field


class CampaignForm(forms.ModelForm):
    """Create or edit a campaign (managers and admins); the parent is any other campaign."""

    class Meta:
        model = Campaign
        fields = EDITABLE_FIELDS
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "start_date": forms.DateInput(attrs={"type": "date"}),
            "end_date": forms.DateInput(attrs={"type": "date"}),
        }
        error_messages = {"parent": {"invalid_choice": "Pick a parent campaign from the list."}}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Campaign.objects.visible_to(user).order_by("name")
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        set_owner_field(self, user, owner=self.instance.owner, creating=not self.instance.pk)

    def _post_clean(self):
        # The service validates the model; the form only parses fields.
        pass
