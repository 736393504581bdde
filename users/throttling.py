"""Each API token's own request rate: its `rate_limit` per minute, else the installation's FUNNEL_TOKEN_RATE."""

from django.conf import settings
from django.core import checks
from rest_framework.throttling import SimpleRateThrottle

from users.models import ApiToken


class TokenRateThrottle(SimpleRateThrottle):
    """Throttle requests made with an API token, keyed on the token (sessions and anonymous calls pass).

    The rate is the token's own, so it is read per request rather than from DEFAULT_THROTTLE_RATES. Over it, DRF
    answers 429 with `Retry-After` (Salesforce-shaped under /services/).
    """

    cache_format = "throttle_token_%(ident)s"

    def __init__(self) -> None:
        # SimpleRateThrottle reads a fixed rate here; this one depends on the request's token.
        self.rate = None

    def allow_request(self, request, view) -> bool:
        token = getattr(request, "auth", None)
        if not isinstance(token, ApiToken):
            return True
        self.rate = (f"{token.rate_limit}/min" if token.rate_limit else settings.FUNNEL_TOKEN_RATE) or None
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        # The digest, not the id: ids are reused after a rollback, a digest never.
        return self.cache_format % {"ident": request.auth.digest}


@checks.register(checks.Tags.compatibility)
def check_token_rate(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Refuse to start with a FUNNEL_TOKEN_RATE DRF cannot read (every token request would fail)."""
    rate = settings.FUNNEL_TOKEN_RATE
    if not rate:
        return []
    try:
        num_requests, _ = SimpleRateThrottle.parse_rate(None, rate)
    except (ValueError, KeyError, IndexError):
        num_requests = 0
    if num_requests < 1:
        return [
            checks.Error(
                f"FUNNEL_TOKEN_RATE={rate!r} is not a request rate.",
                hint='Write it as DRF does, e.g. "600/min", "20/s" or "10000/hour"; empty for no limit.',
                id="users.E001",
            )
        ]
    return []
