"""POST /services/oauth2/token: the password and client-credentials grants of registered connected apps."""

from __future__ import annotations

import base64
import binascii

from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from core.parsers import FormParser, JSONParser
from integrations.salesforce.services import OAuthError, issue_token
from users.api.views import AuthThrottle


def _oauth_error(error: str, description: str, status: int = 400) -> Response:
    return Response({"error": error, "error_description": description}, status=status)


def oauth_exception_handler(exc, context):
    """Token endpoint errors in OAuth's shape, as Salesforce answers them."""
    if isinstance(exc, OAuthError):
        return _oauth_error(exc.error, exc.detail)
    if isinstance(exc, exceptions.Throttled):
        return _oauth_error("rate_limit_exceeded", "too many requests; retry later", status=429)
    if isinstance(exc, exceptions.MethodNotAllowed):
        return _oauth_error("invalid_request", "must use HTTP POST", status=405)
    if isinstance(exc, exceptions.APIException):
        return _oauth_error("invalid_request", str(exc.detail))
    return None


def _basic_credentials(request) -> tuple[str, str]:
    """client_id and client_secret from `Authorization: Basic …` (what clients send for client credentials)."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("basic "):
        return "", ""
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeError):
        raise OAuthError("invalid_client", "invalid client credentials") from None
    client_id, _, client_secret = decoded.partition(":")
    return client_id, client_secret


class TokenView(APIView):
    """Exchange a connected app's credentials (and a user's, for the password grant) for an access token."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [AuthThrottle]
    parser_classes = [FormParser, JSONParser]
    renderer_classes = [JSONRenderer]
    schema = None

    def get_exception_handler(self):
        return oauth_exception_handler

    def post(self, request):
        data = request.data
        if not hasattr(data, "get"):
            raise OAuthError("invalid_request", "form-encoded parameters expected")

        def text(name: str) -> str:
            value = data.get(name, "")
            return value if isinstance(value, str) else ""

        client_id, client_secret = text("client_id"), text("client_secret")
        if not client_id:
            client_id, client_secret = _basic_credentials(request)
        instance_url = request.build_absolute_uri("/").rstrip("/")
        token = issue_token(
            grant_type=text("grant_type"),
            client_id=client_id,
            client_secret=client_secret,
            username=text("username"),
            password=text("password"),
            instance_url=instance_url,
            request=request._request,
        )
        return Response(
            {
                "access_token": token.access_token,
                "instance_url": instance_url,
                "id": token.id_url,
                "token_type": "Bearer",
                "issued_at": token.issued_at,
                "signature": token.signature,
            }
        )
