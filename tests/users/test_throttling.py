"""The installation's default token rate is checked at start-up: a typo must not fail every token request."""

import pytest

from users.throttling import check_token_rate


@pytest.mark.parametrize("rate", ["600/min", "20/s", "10000/hour", ""])
def test_a_readable_token_rate_passes_the_check(settings, rate):
    settings.FUNNEL_TOKEN_RATE = rate

    assert check_token_rate() == []


@pytest.mark.parametrize("rate", ["600 per minute", "many/min", "600/fortnight", "0/min", "600/"])
def test_an_unreadable_token_rate_stops_the_start(settings, rate):
    settings.FUNNEL_TOKEN_RATE = rate

    [error] = check_token_rate()

    assert error.id == "users.E001" and rate in error.msg
