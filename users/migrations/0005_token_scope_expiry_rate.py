"""API tokens get a scope, an optional expiry and their own rate limit.

Tokens issued before scopes acted as their user: they become `write`, or `admin` where their user is an admin (the
level they had), so no integration loses or gains a power on upgrade.
"""

import django.core.validators
from django.db import migrations, models


def scope_existing_tokens(apps, schema_editor) -> None:
    """Give every token the scope its user's role allowed: admin for admins (and superusers), write otherwise."""
    ApiToken = apps.get_model("users", "ApiToken")
    admins = models.Q(user__role="admin") | models.Q(user__is_superuser=True)
    ApiToken.objects.filter(admins).update(scope="admin")
    ApiToken.objects.exclude(admins).update(scope="write")


class Migration(migrations.Migration):
    dependencies = [
        ("users", "0004_time_zone_digest"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="scope",
            field=models.CharField(
                choices=[("read", "Read only"), ("write", "Read and write"), ("admin", "Administration")],
                default="write",
                help_text="read: GET only; write: acts as its user; admin: also admin-only endpoints (admins only).",
                max_length=5,
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(blank=True, help_text="Empty: the token does not expire.", null=True),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="rate_limit",
            field=models.PositiveIntegerField(
                blank=True,
                help_text="Requests per minute; empty: the installation's default (FUNNEL_TOKEN_RATE).",
                null=True,
                validators=[django.core.validators.MinValueValidator(1)],
            ),
        ),
        migrations.RunPython(scope_existing_tokens, migrations.RunPython.noop, elidable=True),
    ]
