from rest_framework import serializers

from core.serializers import VisiblePrimaryKeyRelatedField
from users.models import Team
from workspace.models import SavedView


class SavedViewSerializer(serializers.ModelSerializer):
    shared_with_team = VisiblePrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    url = serializers.CharField(read_only=True, help_text="The list this view opens, with its query string.")

    class Meta:
        model = SavedView
        fields = ["id", "owner", "list_key", "name", "query", "shared_with_team", "url", "created_at", "updated_at"]
        read_only_fields = ["id", "owner", "url", "created_at", "updated_at"]
        # Names are checked per owner and list by the service (400 naming `name`), not by DRF's validators.
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            # A view stays on the list it was saved from.
            fields["list_key"].read_only = True
        return fields
