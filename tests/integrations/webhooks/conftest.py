"""A real HTTP receiver on 127.0.0.1, an allow-list that lets it through, and endpoints to send to it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from integrations.webhooks import guard
from integrations.webhooks.services import create_endpoint

PUBLIC_ADDRESS = "93.184.215.14"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    verified: bool | None = None


@dataclass
class Receiver:
    """An HTTP server in a thread: `down()` stops listening (connections refused), `up()` listens again."""

    port: int = 0
    answers: list[int] = field(default_factory=list)  # status codes to answer in turn, then `default`
    default: int = 200
    location: str = ""
    secrets: list[str] = field(default_factory=list)  # verify each request with these (any may match)
    requests: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def up(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                got = Received(dict(self.headers.items()), body)
                if receiver.secrets:
                    got.verified = any(receiver._verifies(secret, got) for secret in receiver.secrets)
                receiver.requests.append(got)
                status = receiver.answers.pop(0) if receiver.answers else receiver.default
                self.send_response(status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                reply = b'{"ok": true}' if status < 300 else b"nope " * 1000
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @staticmethod
    def _verifies(secret: str, got: Received) -> bool:
        try:
            Webhook(secret).verify(got.body, got.headers)
        except WebhookVerificationError:
            return False
        return True

    def webhook_ids(self) -> list[str]:
        return [r.headers["webhook-id"] for r in self.requests]


@pytest.fixture(autouse=True)
def allow_localhost(monkeypatch):
    """The receiver listens on loopback: let 127.0.0.1 through, as the docs tell a test setup to."""
    monkeypatch.setenv(guard.ALLOWED_HOSTS_VARIABLE, "127.0.0.1")


@pytest.fixture
def public_dns(monkeypatch):
    """Names resolve to a public address unless the test says otherwise (`public_dns["name"] = [...]`)."""
    answers: dict[str, list[str]] = {}
    real = guard.resolve

    def resolve(host: str, port: int) -> list[str]:
        if host in answers:
            return answers[host]
        if host.replace(".", "").isdigit() or ":" in host:
            return real(host, port)
        return [PUBLIC_ADDRESS]

    monkeypatch.setattr(guard, "resolve", resolve)
    return answers


@pytest.fixture
def receiver():
    server = Receiver()
    server.up()
    yield server
    server.down()


@pytest.fixture
def endpoint_for(admin):
    """`endpoint_for(receiver, events)`: an endpoint of `receiver`, whose secret the receiver verifies with."""

    def make(target: Receiver, events: list[str]):
        endpoint, secret = create_endpoint(by=admin, url=target.url, events=events)
        target.secrets.append(secret)
        return endpoint

    return make
