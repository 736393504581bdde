"""Deploy checks of our own: what `check --deploy` must refuse besides Django's list."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def check_shared_cache(app_configs, **kwargs):
    """Throttles (token, web-to-lead) count in the cache: per process unless it is shared (Redis)."""
    backend = settings.CACHES["default"]["BACKEND"]
    if backend.endswith(("LocMemCache", "DummyCache")):
        return [
            Warning(
                "The default cache is per-process, so API throttles count each gunicorn worker separately.",
                hint="Set REDIS_URL so throttles share one Redis cache.",
                id="funnel.W001",
            )
        ]
    return []
