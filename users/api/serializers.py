from rest_framework import serializers

from users.models import MAX_SKILL_LENGTH, MAX_SKILLS, ApiToken, Team, User


class UserSerializer(serializers.ModelSerializer):
    password = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=128, style={"input_type": "password"}
    )
    team = serializers.PrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True)
    skills = serializers.ListField(
        child=serializers.CharField(max_length=MAX_SKILL_LENGTH),
        max_length=MAX_SKILLS,
        required=False,
        help_text='Languages, products, industries that routing rules match, e.g. ["de", "fintech"].',
    )

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "name",
            "first_name",
            "last_name",
            "role",
            "team",
            "is_active",
            "accepts_leads",
            "lead_capacity",
            "function",
            "level",
            "skills",
            "routing_shares",
            "time_zone",
            "weekly_digest",
            "password",
        ]
        read_only_fields = ["id"]


class TeamSerializer(serializers.ModelSerializer):
    manager = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)

    class Meta:
        model = Team
        fields = ["id", "name", "manager"]


class ApiTokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
        read_only_fields = ["id", "user", "prefix", "created_at", "last_used_at", "revoked_at"]


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The raw token: shown only in this response.")

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]


class ObtainTokenSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)
    name = serializers.CharField(
        max_length=100,
        required=False,
        default="api",
        help_text="Which integration the token is for; a new token for the same name revokes the previous one.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
