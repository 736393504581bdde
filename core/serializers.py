"""Serializer building blocks: related fields scoped to what the caller may see."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class VisiblePrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related id the caller must be able to see; others answer "does not exist" like missing ones."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.visible_to(request.user) if request is not None else queryset.none()


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()


# A 400 from a write endpoint: a field error names the field ({"file": [...]}); a refusal by the service has a
# `code` and `detail` (ErrorSerializer).
BAD_INPUT = OpenApiResponse(description="Invalid input: the body names the field, or gives a `code` and `detail`.")
