"""POST one signed message to a checked target: pinned to the checked address, 10 s timeout, no redirects.

The standard library's http.client, so the connection goes to the address the SSRF guard approved while the
request (Host header, TLS server name and certificate check) still names the URL's host.
"""

from __future__ import annotations

import http.client
import socket
import ssl
import time
from dataclasses import dataclass

from integrations.webhooks.guard import Target

TIMEOUT_SECONDS = 10
# Bytes of a response body read at most; the log keeps the first EXCERPT_CHARS characters of them.
READ_LIMIT = 2048
EXCERPT_CHARS = 500


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    excerpt: str = ""
    error: str = ""

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _connection(target: Target, address: str) -> http.client.HTTPConnection:
    kind = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    return kind(target.host, target.port, address, TIMEOUT_SECONDS)


def post(target: Target, body: bytes, headers: dict[str, str]) -> Outcome:
    """POST `body` to `target`, trying its checked addresses in turn until one connects."""
    started = time.monotonic()
    error = "No address to connect to."
    for address in target.addresses:
        connection = _connection(target, address)
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read(READ_LIMIT)
            status, location = response.status, response.getheader("Location", "")
        except (ConnectionRefusedError, socket.gaierror) as exc:
            error = f"Could not connect to {address}: {exc.__class__.__name__}."
            continue
        except TimeoutError:
            return Outcome(None, _since(started), error=f"No answer within {TIMEOUT_SECONDS} seconds.")
        except (OSError, http.client.HTTPException) as exc:
            return Outcome(None, _since(started), error=f"{exc.__class__.__name__}: {exc}"[:EXCERPT_CHARS])
        finally:
            connection.close()
        excerpt = raw.decode("utf-8", errors="replace")[:EXCERPT_CHARS]
        error = ""
        if 300 <= status < 400:
            error = f"Redirects are not followed (to {location or 'nowhere'})."[:EXCERPT_CHARS]
        elif not 200 <= status < 300:
            error = f"The receiver answered {status}."
        return Outcome(status, _since(started), excerpt=excerpt, error=error)
    return Outcome(None, _since(started), error=error)


def _since(started: float) -> int:
    return round((time.monotonic() - started) * 1000)
