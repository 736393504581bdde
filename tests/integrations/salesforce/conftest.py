"""Fixtures for the Salesforce-compatible API: Bearer-token API clients, and the real `simple_salesforce` client
driven unchanged against pytest-django's live server.

`sf_client(user)` returns a `simple_salesforce.Salesforce` signed in as `user`. The client only speaks https; the
test transport below (a `requests` adapter on the client's own session) sends its https requests to the live
server over http, and requests for `*.salesforce.com` (where the client's `domain=` login goes) to the live server
too. The client code itself is not patched.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from requests.adapters import HTTPAdapter
from rest_framework.test import APIClient

from integrations.salesforce.objects import API_VERSION
from users.services import create_api_token

DATA = f"/services/data/v{API_VERSION}"


class LiveServerAdapter(HTTPAdapter):
    """Test-only transport: https → http on the same host; Salesforce's login hosts → the live server."""

    def __init__(self, live_url: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.live_netloc = urlsplit(live_url).netloc

    def send(self, request, **kwargs):
        parts = urlsplit(request.url)
        if parts.scheme == "https":
            host = parts.hostname or ""
            netloc = self.live_netloc if host.endswith(".salesforce.com") else parts.netloc
            request.url = urlunsplit(("http", netloc, parts.path, parts.query, parts.fragment))
        return super().send(request, **kwargs)


def bearer_token(user, name: str = "Salesforce tests") -> str:
    """A fresh API token of `user`, as a Salesforce client sends it (its session id)."""
    return create_api_token(user=user, name=name)[1]


@pytest.fixture
def sf_api(db):
    """`sf_api(user)` returns an APIClient sending `Authorization: Bearer <a token of user>` (anonymous for None)."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {bearer_token(user, name=f'sf-api {user.pk}')}")
        return client

    return make


@pytest.fixture
def sf_session(live_server):
    """A `requests.Session` whose https:// requests reach the live server (give it to the client as `session=`)."""
    session = requests.Session()
    session.mount("https://", LiveServerAdapter(live_server.url))
    yield session
    session.close()


@pytest.fixture
def sf_client(live_server, sf_session):
    """`sf_client(user)` returns simple_salesforce's `Salesforce`, unchanged, signed in as `user` on the live server."""
    from simple_salesforce import Salesforce

    def make(user):
        token = bearer_token(user, name=f"simple-salesforce {user.pk}")
        return Salesforce(instance_url=live_server.url, session_id=token, version=API_VERSION, session=sf_session)

    return make
