"""Standard Webhooks secrets and signatures (the `standardwebhooks` package signs)."""

from __future__ import annotations

import base64
import secrets
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

# Bytes of a new secret (Standard Webhooks asks for 24 to 64).
SECRET_BYTES = 32


def new_secret() -> str:
    """A new `whsec_<base64>` secret."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def signature_header(secrets_in_use: list[str], *, webhook_id: str, at: datetime, body: str) -> str:
    """The `webhook-signature` value: one `v1,<base64>` per secret, space-separated (two during a rotation)."""
    at = at.astimezone(UTC)
    return " ".join(Webhook(secret).sign(msg_id=webhook_id, timestamp=at, data=body) for secret in secrets_in_use)


def signed_headers(secrets_in_use: list[str], *, webhook_id: str, at: datetime, body: str) -> dict[str, str]:
    """The headers of one delivery attempt, timestamped `at`."""
    return {
        "webhook-id": webhook_id,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signature_header(secrets_in_use, webhook_id=webhook_id, at=at, body=body),
        "content-type": "application/json",
        "user-agent": "Funnel-CRM-Webhooks/1.0",
    }
