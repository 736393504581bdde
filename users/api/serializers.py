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
    """A token as listed; on creation `scope` (default write), `expires_at` and `rate_limit` are optional."""

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "user",
            "name",
            "prefix",
            "scope",
            "expires_at",
            "rate_limit",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = ["id", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
        extra_kwargs = {"rate_limit": {"min_value": 1}}


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
    scope = serializers.ChoiceField(
        choices=ApiToken.Scope.choices,
        default=ApiToken.Scope.WRITE,
        help_text="read (GET only), write (acts as the user) or admin (admins only: also admin-only endpoints).",
    )
    expires_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Empty: never expires.")
    rate_limit = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="Requests per minute; empty: FUNNEL_TOKEN_RATE."
    )
    two_factor_code = serializers.CharField(
        max_length=32,
        required=False,
        help_text="Needed when the user has two-factor sign-in: the code their authenticator app shows, or one of "
        "their recovery codes (then used up).",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
