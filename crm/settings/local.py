"""The embedded default for one machine: `make run`."""

from crm.settings.base import *  # noqa: F403
from crm.settings.base import SECRET_KEY, VAR_DIR

DEBUG = True
if not SECRET_KEY:
    # A per-checkout key kept in var/, so sessions survive restarts of `make run`.
    _key_file = VAR_DIR / "secret_key"
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not _key_file.exists():
        from django.core.management.utils import get_random_secret_key

        _key_file.write_text(get_random_secret_key())
    SECRET_KEY = _key_file.read_text().strip()
