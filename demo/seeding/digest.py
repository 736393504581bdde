"""The demo managers' first weekly digest, sent when the demo is seeded (the beat sends the next on Monday)."""

from __future__ import annotations

from dashboards.digest import list_digest_recipients, send_digest_now
from demo.seeding.context import Output


def send_demo_digests(out: Output) -> int:
    """Send each manager who takes the digest this week's issue now; return how many were sent."""
    recipients = [user for user in list_digest_recipients() if user.email]
    for user in recipients:
        send_digest_now(user)
    if recipients:
        out(f"Sent the weekly digest to {len(recipients)} manager(s) (var/mail/ when running `make run`).")
    return len(recipients)
