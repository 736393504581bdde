"""`Authorization: Token <token>` against hashed, revocable, expiring ApiTokens, and the one check of their scope.

A token's scope is enforced here, where every token-authenticated request passes (the project API and, through
`integrations.salesforce.authentication`, the Salesforce-compatible one): a read token on an unsafe method is
refused before any view, permission or service runs, so no endpoint can forget it.
"""

from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from users.models import ApiToken

# `last_used_at` is written at most this often per token: reads do not each cost a write.
LAST_USED_RESOLUTION_SECONDS = 60


class ReadOnlyToken(exceptions.PermissionDenied):
    """A read-scope token on a write; carries the token's user so the security log names them."""

    default_detail = "This token can only read."
    default_code = "read_only_token"

    def __init__(self, *, user=None) -> None:
        super().__init__()
        self.user = user


def check_token_scope(request, token: ApiToken) -> None:
    """Refuse an unsafe method (POST, PUT, PATCH, DELETE) to a read-scope token.

    Raises:
        ReadOnlyToken: the token is read-only and the method writes.
    """
    if request.method not in permissions.SAFE_METHODS and not token.can_write:
        raise ReadOnlyToken(user=token.user)


def token_scope(request) -> str | None:
    """The scope of the token the request authenticated with; None for a session (which has no scope)."""
    token = getattr(request, "auth", None)
    return token.scope if isinstance(token, ApiToken) else None


class ApiTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None:
            check_token_scope(request, result[1])
        return result

    def authenticate_credentials(self, key):
        token = (
            ApiToken.objects.active()
            .select_related("user", "user__team")
            .filter(digest=ApiToken.digest_of(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked token.")
        now = timezone.now()
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed("This token has expired.")
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= LAST_USED_RESOLUTION_SECONDS:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": 'Token-based authentication with required prefix "Token". A read-scope token gets 403 on '
            "every POST, PUT, PATCH and DELETE; each token has its own rate limit (429 with Retry-After).",
        }
