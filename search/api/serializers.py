from rest_framework import serializers

from search.selectors import TYPES


class SearchResultSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=TYPES)
    id = serializers.IntegerField()
    title = serializers.CharField()
    subtitle = serializers.CharField(help_text="A line that tells records apart: company, email, account, stage …")
    url = serializers.CharField(help_text="Path of the record's page in the web app, e.g. /leads/12/.")


class SearchResponseSerializer(serializers.Serializer):
    results = SearchResultSerializer(many=True, help_text="Best first, every type mixed.")
