"""Settings for the test suite: the embedded default, or PostgreSQL/Redis from the environment."""

from crm.settings.base import *  # noqa: F403
from crm.settings.base import DATABASES, IS_POSTGRES

SECRET_KEY = "test-only-not-secret"  # noqa: S105
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Unit tests run tasks in-process; integration tests start a real worker.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# On PostgreSQL the suite always has the `replica` alias, a test mirror of default (DATABASE_REPLICA_URL or not), so
# that the report views' reads are routed to it in every run; tests/core/test_replica.py checks where they go.
if IS_POSTGRES and "replica" not in DATABASES:
    DATABASES["replica"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
