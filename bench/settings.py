"""Production settings for the benchmark: DEBUG off, PostgreSQL and Redis from the environment, no TLS redirect.

`bench/run.py` sets DATABASE_URL and REDIS_URL; the same settings serve the in-process figures and gunicorn.
"""

import os

os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production-0000000000000000")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")

from crm.settings.production import *  # noqa: F403
from crm.settings.production import VAR_DIR

ROOT_URLCONF = "bench.urls"
# Enqueueing is measured, delivering is not: no worker runs during the benchmark.
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "bench" / "media"
STATIC_ROOT = VAR_DIR / "bench" / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
