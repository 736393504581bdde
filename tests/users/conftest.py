"""Two-factor sign-in set up for a test user, and codes from their authenticator app."""

from __future__ import annotations

import pytest
import time_machine
from django_otp.oath import TOTP

from users.two_factor import confirm_two_factor, start_two_factor_setup

# A fixed clock: the codes an app shows are then known, and the next one is 30 seconds away.
NOON = "2026-06-01 12:00:00+00:00"


def app_code(device) -> str:
    """The code `device`'s authenticator app shows now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def enrol(clock):
    """`enrol(user)` turns two-factor sign-in on for `user` and returns (device, recovery codes); the clock then moves
    to the next 30 seconds, so the app shows a fresh code."""

    def make(user):
        device = start_two_factor_setup(user)
        device, codes = confirm_two_factor(user, code=app_code(device))
        clock.shift(30)
        return device, codes

    return make
