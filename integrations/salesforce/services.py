"""Writes on connected apps, and the OAuth 2.0 token grants they sign in with."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from core.exceptions import ApplicationError, PermissionDenied
from core.services import apply_changes, save_validated
from integrations.salesforce.ids import checksum, to_sf_id
from integrations.salesforce.models import ConnectedApp
from users.models import ApiToken, User
from users.services import create_api_token

# The one organisation this installation is, in Salesforce's id form (key prefix 00D).
ORG_ID = "00D000000000001" + checksum("00D000000000001")


class OAuthError(ApplicationError):
    """A refused token request, answered as Salesforce does: {"error", "error_description"} with 400."""

    code = "invalid_grant"
    default_detail = "authentication failure"

    def __init__(self, error: str = "invalid_grant", description: str = "authentication failure") -> None:
        super().__init__(description)
        self.error = error


@dataclass(frozen=True)
class IssuedToken:
    """A fresh access token and what the token endpoint answers with it."""

    access_token: str
    user: User
    issued_at: str
    id_url: str
    signature: str


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_admin(by: User) -> None:
    if not by.is_admin:
        raise PermissionDenied("Only admins manage connected apps.")


@transaction.atomic
def register_connected_app(
    *, by: User, name: str, run_as: User | None = None, token_scope: str = ApiToken.Scope.WRITE
) -> tuple[ConnectedApp, str]:
    """Register an integration; return it with its client secret, shown only once."""
    _check_admin(by)
    secret = secrets.token_urlsafe(32)
    app = ConnectedApp(
        name=name,
        client_id=secrets.token_urlsafe(24),
        client_secret_digest=_digest(secret),
        run_as=run_as,
        token_scope=token_scope,
        created_by=by,
    )
    save_validated(app)
    return app, secret


@transaction.atomic
def update_connected_app(app: ConnectedApp, *, by: User, data: dict) -> ConnectedApp:
    """Rename, (de)activate, change the client-credentials user or the token scope of a connected app."""
    _check_admin(by)
    app = ConnectedApp.objects.select_for_update().get(pk=app.pk)
    changes = apply_changes(app, data, fields=["name", "run_as", "is_active", "token_scope"])
    if changes:
        save_validated(app, update_fields=list(changes))
    return app


@transaction.atomic
def rotate_connected_app_secret(app: ConnectedApp, *, by: User) -> str:
    """Give `app` a new client secret (the old one stops working at once); return it, shown only once."""
    _check_admin(by)
    secret = secrets.token_urlsafe(32)
    ConnectedApp.objects.filter(pk=app.pk).update(client_secret_digest=_digest(secret))
    return secret


@transaction.atomic
def delete_connected_app(app: ConnectedApp, *, by: User) -> None:
    """Remove a connected app; tokens it issued stay valid until revoked (they are the users' API tokens)."""
    _check_admin(by)
    app.delete()


def _connected_app(client_id: str, client_secret: str) -> ConnectedApp:
    app = (
        ConnectedApp.objects.active().select_related("run_as").filter(client_id=client_id).first()
        if client_id
        else None
    )
    if app is None:
        raise OAuthError("invalid_client_id", "client identifier invalid")
    if not hmac.compare_digest(app.client_secret_digest, _digest(client_secret or "")):
        raise OAuthError("invalid_client", "invalid client credentials")
    return app


def issue_token(
    *,
    grant_type: str,
    client_id: str,
    client_secret: str,
    username: str = "",
    password: str = "",
    instance_url: str,
    request=None,
) -> IssuedToken:
    """Sign a connected app in with the password or client-credentials grant and issue an API token.

    One live token per app and user: a new sign-in rotates that user's previous token of this app out. Not one
    transaction: a failed password must stay recorded for the sign-in lockout.

    Raises:
        OAuthError: unknown grant, client, user or password (the same answer for an unknown user and a wrong
            password).
    """
    if grant_type not in ("password", "client_credentials"):
        raise OAuthError("unsupported_grant_type", "grant type not supported")
    app = _connected_app(client_id, client_secret)
    if grant_type == "password":
        user = authenticate(request, username=username, password=password) if username and password else None
    else:
        user = app.run_as
        if user is None:
            raise OAuthError("invalid_grant", "no client credentials user enabled")
    if user is None or not user.is_active:
        raise OAuthError()
    # The app's scope is the most its tokens get: an admin-scope app gives a non-admin a write token.
    scope = app.token_scope
    if scope == ApiToken.Scope.ADMIN and not user.is_admin:
        scope = ApiToken.Scope.WRITE
    _, raw = create_api_token(user=user, name=f"Salesforce API: {app.name}"[:100], scope=scope, request=request)
    ConnectedApp.objects.filter(pk=app.pk).update(last_used_at=timezone.now())
    issued_at = str(int(time.time() * 1000))
    id_url = f"{instance_url}/id/{ORG_ID}/{to_sf_id('User', user.pk)}"
    digest = hmac.new(client_secret.encode(), (id_url + issued_at).encode(), hashlib.sha256).digest()
    return IssuedToken(raw, user, issued_at, id_url, base64.b64encode(digest).decode())
