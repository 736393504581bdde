from django_filters import rest_framework as filters

from core.viewsets import FunnelModelViewSet
from workspace import services
from workspace.api.serializers import SavedViewSerializer
from workspace.models import ListKey, SavedView


class SavedViewFilter(filters.FilterSet):
    list_key = filters.ChoiceFilter(choices=ListKey.choices)

    class Meta:
        model = SavedView
        fields = ["list_key"]


class SavedViewViewSet(FunnelModelViewSet):
    """Saved list views: the caller's own and those shared with their team (admins: all). Only the owner may
    change or delete one (403 `saved_view_not_owned`); one the caller cannot see is a 404."""

    serializer_class = SavedViewSerializer
    filterset_class = SavedViewFilter
    search_fields = ["name"]
    ordering_fields = ["created_at", "updated_at", "name"]
    ordering = ["-created_at"]
    create_service = services.create_saved_view
    update_service = services.update_saved_view
    delete_service = services.delete_saved_view

    def get_queryset(self):
        return SavedView.objects.visible_to(self.request.user)
