"""The embedded default for one machine: `make run` (DEBUG off, like production) and `make dev` (DEBUG on)."""

from urllib.parse import urlsplit

from crm.settings.base import *  # noqa: F403
from crm.settings.base import ALLOWED_HOSTS, SECRET_KEY, SITE_URL, STATIC_ROOT, VAR_DIR

if not SECRET_KEY:
    # A per-checkout key kept in var/, so sessions survive restarts of `make run`.
    _key_file = VAR_DIR / "secret_key"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not _key_file.exists():
        from django.core.management.utils import get_random_secret_key

        _key_file.write_text(get_random_secret_key())
    SECRET_KEY = _key_file.read_text().strip()

# DEBUG comes from DJANGO_DEBUG as everywhere (off; `make dev` turns it on): `make run` shows the pages, errors and
# static files production shows.

# The address the emails' links point at is one this server answers to.
_site_host = urlsplit(SITE_URL).hostname
if _site_host and _site_host not in ALLOWED_HOSTS:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, _site_host]

# Static files with DEBUG off: WhiteNoise serves them from where they live (app and project static/ folders, found
# once at start) instead of from a `collectstatic` copy in var/: no extra step and 13 MB copied per checkout, nothing
# stale after a pull, and a bare `manage.py runserver` works too. Files added while it runs need a restart; with
# DEBUG on WhiteNoise re-reads them on every request (its autorefresh default). Production collects them.
WHITENOISE_USE_FINDERS = True
# WhiteNoise also serves STATIC_ROOT, and warns at every start when that folder is missing.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
