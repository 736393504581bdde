"""Connected apps: the integrations registered to obtain tokens from /services/oauth2/token."""

from __future__ import annotations

from django.db import models

from users.models import ApiToken


class ConnectedAppQuerySet(models.QuerySet):
    def visible_to(self, user) -> ConnectedAppQuerySet:
        """Only admins register and see connected apps."""
        if not user or not user.is_authenticated or not user.is_active or not user.is_admin:
            return self.none()
        return self

    def active(self) -> ConnectedAppQuerySet:
        return self.filter(is_active=True)


class ConnectedApp(models.Model):
    """An integration allowed to sign in with its client id and secret (Salesforce's "connected app").

    The password grant signs in the user whose username and password come with the request; the
    client-credentials grant signs in `run_as`. Only the secret's SHA-256 digest is stored.
    """

    name = models.CharField(max_length=100)
    client_id = models.CharField(max_length=64, unique=True)
    client_secret_digest = models.CharField(max_length=64)
    run_as = models.ForeignKey(
        "users.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The user the client-credentials grant signs in; empty: only the password grant is allowed.",
    )
    token_scope = models.CharField(
        max_length=5,
        choices=ApiToken.Scope.choices,
        default=ApiToken.Scope.WRITE,
        help_text="The scope of the tokens this app obtains; admin is given only to admins (others get write).",
    )
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ConnectedAppQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name
