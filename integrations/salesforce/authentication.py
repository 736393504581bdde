"""`Authorization: Bearer <token>` (or `OAuth <token>`): what Salesforce clients send as their session id, checked
against the project's API tokens."""

from __future__ import annotations

from rest_framework import authentication, exceptions

from users.authentication import ApiTokenAuthentication, check_token_scope

KEYWORDS = ("bearer", "oauth")


class SalesforceTokenAuthentication(authentication.BaseAuthentication):
    """An API token presented the Salesforce way; a failure (revoked, expired) answers 401 INVALID_SESSION_ID, a
    read-scope token on a write 403 INSUFFICIENT_ACCESS_OR_READONLY (the same scope check as the project API)."""

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].decode("latin-1").lower() not in KEYWORDS:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Session expired or invalid")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("Session expired or invalid") from None
        user, token = ApiTokenAuthentication().authenticate_credentials(key)
        check_token_scope(request, token)
        return user, token

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="Salesforce"'
