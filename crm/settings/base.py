"""Settings shared by every environment, driven by environment variables.

With no environment at all the app runs the *embedded default*: SQLite in
``var/`` (WAL, IMMEDIATE transactions), Celery on the kombu filesystem broker
in ``var/broker``, email written to ``var/mail/`` and a local-memory cache.
Every variable is listed with its default in ``.env.example``.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from crm.settings.env import disable_server_side_cursors, env_bool, env_list, replica_databases

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("FUNNEL_VAR_DIR", BASE_DIR / "var"))

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
# Old keys still accepted for signatures while a new key is rolled out.
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "core.apps.FunnelAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Search's trigram and unaccent extensions (search/migrations); its operations do nothing on SQLite.
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "axes",
    # Two-factor sign-in (users.two_factor): authenticator apps (TOTP) and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The project's apps, lowest layer first: each imports only the apps above it in this list.
    "core",
    "users",
    "activities",
    "accounts",
    "contacts",
    "opportunities",
    "campaigns",
    "leads",
    "search",
    "workspace",
    "scoring",
    "assignment",
    "nurture",
    "imports",
    "conversion",
    "privacy",
    "integrations.salesforce",
    "integrations.salesforce.bulk",
    "integrations.webhooks",
    "dashboards",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Idle sessions end first; then the second factor: until it is given, a signed-in user reaches only its page.
    "core.middleware.IdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "users.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "crm.urls"
WSGI_APPLICATION = "crm.wsgi.application"
AUTH_USER_MODEL = "users.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database -------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "db.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web server read while the worker writes; IMMEDIATE takes
        # the write lock at BEGIN so two writers queue instead of deadlocking.
        # busy_timeout first: switching a new file to WAL takes a lock that web, worker and beat may race for.
        "init_command": "PRAGMA busy_timeout=10000; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
# An optional read replica (DATABASE_REPLICA_URL) for reports and exports, which may lag by seconds: core/replica.py.
DATABASES.update(replica_databases(is_postgres=IS_POSTGRES))
disable_server_side_cursors(DATABASES, is_postgres=IS_POSTGRES)
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # models.W040: SQLite has no INCLUDE columns. The covering index (leads.Lead's lead_dashboard_idle) is for
    # PostgreSQL, which answers from it alone; on SQLite it is a plain index on its key columns, which still serves.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache ------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "funnel"}}

# --- client address -----------------------------------------------------------
# Reverse proxies in front of the app that append to X-Forwarded-For (1 behind one TLS proxy). With 0 the header
# is ignored: anyone can send it, and honouring it would let a client pick a fresh address for every request
# and walk past the throttles and the sign-in lockout.
FUNNEL_PROXY_COUNT = int(os.environ.get("FUNNEL_PROXY_COUNT", 0))

# --- sign-in: lockout, passwords, sessions and their idle timeout, two-factor sign-in -------------------------
from crm.settings.sign_in import *  # noqa: E402, F403

# --- security headers (tightened further in production.py) ---------------------
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

# --- i18n / time --------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- static -------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# --- email ----------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Funnel CRM <crm@localhost>")
# The app's address as people reach it: every link in an email starts with it. `make run` sets it from its HOST and
# PORT for web, worker and beat alike; production sets FUNNEL_SITE_URL.
SITE_URL = os.environ.get("FUNNEL_SITE_URL", "http://127.0.0.1:8000")

# --- Celery -------------------------------------------------------------------------
BROKER_DIR = VAR_DIR / "broker"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
NETWORK_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_timeout": 2,
    "socket_connect_timeout": 2,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        # kombu's default is ./control in the working directory, i.e. inside the checkout.
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
    for _folder in ("queue", "processed", "control"):
        (BROKER_DIR / _folder).mkdir(parents=True, exist_ok=True)
else:
    # Fail fast when the broker is down or hangs (accepts connections, never answers): the sweepers catch up later.
    # Without a socket timeout a hung broker blocks the request that enqueues for as long as it hangs.
    CELERY_BROKER_TRANSPORT_OPTIONS = dict(NETWORK_BROKER_TRANSPORT_OPTIONS)
# After a failed enqueue, this process skips enqueueing for this many seconds instead of waiting on the broker
# again: one request pays for noticing the outage, the next ones don't, and the sweepers repair the lost kicks.
FUNNEL_BROKER_BACKOFF_SECONDS = float(os.environ.get("FUNNEL_BROKER_BACKOFF_SECONDS", 10))
# A long job's worker holds a lease on it and renews it every FUNNEL_LEASE_HEARTBEAT_SECONDS; when the worker stops
# the lease lapses after FUNNEL_LEASE_SECONDS and the sweeper (every FUNNEL_LEASE_SWEEP_SECONDS) re-queues the job.
FUNNEL_LEASE_SECONDS = float(os.environ.get("FUNNEL_LEASE_SECONDS", 30))
FUNNEL_LEASE_HEARTBEAT_SECONDS = float(os.environ.get("FUNNEL_LEASE_HEARTBEAT_SECONDS", 5))
FUNNEL_LEASE_SWEEP_SECONDS = float(os.environ.get("FUNNEL_LEASE_SWEEP_SECONDS", 15))
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 300
CELERY_TASK_TIME_LIMIT = 360
# One queue per kind of work, so each scales on its own (docker-compose.yml runs a worker service per queue; `make
# run` has one worker reading them all). Short per-lead kicks go to scoring, assignment and nurture; every long job
# (CSV imports, Salesforce bulk jobs, a full rescore, training, predicting every open lead, the set-based assignment
# sweep) goes to imports, so an hour-long job never holds up a new lead's score; everything else to default.
# The ONE routing table: beat entries and callers name tasks, never queues.
CELERY_TASK_DEFAULT_QUEUE = "default"
FUNNEL_QUEUES = ("default", "scoring", "assignment", "nurture", "imports")
CELERY_TASK_QUEUES = tuple(Queue(name) for name in FUNNEL_QUEUES)
CELERY_TASK_ROUTES = {
    # Exact names first, then the patterns in this order (Celery's MapRoute).
    "scoring.tasks.train_conversion_model_task": {"queue": "imports"},  # reads every closed lead
    "scoring.tasks.predict_leads_task": {"queue": "imports"},  # nightly: every open lead
    "scoring.tasks.rescore_changed_leads_task": {"queue": "imports"},  # hourly: a lease-held walk of changed leads
    "assignment.tasks.assign_unassigned_leads_task": {"queue": "imports"},  # set-based over the backlog
    "*_bulk_task": {"queue": "imports"},
    "imports.tasks.*": {"queue": "imports"},
    "scoring.tasks.*": {"queue": "scoring"},
    "assignment.tasks.*": {"queue": "assignment"},
    "nurture.tasks.*": {"queue": "nurture"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = False

# --- REST framework -------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "users.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "core.parsers.FormParser",
        "core.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.CursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.FilterBackend",
        "core.filters.SearchFilter",
        "core.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.FunnelAutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # Throttles key on the client address: the same proxy count as the lockout and the audit trail.
    "NUM_PROXIES": FUNNEL_PROXY_COUNT,
    "DEFAULT_THROTTLE_RATES": {
        "auth": os.environ.get("FUNNEL_THROTTLE_AUTH", "20/min"),
        "web_to_lead": os.environ.get("FUNNEL_THROTTLE_WEB_TO_LEAD", "30/min"),
    },
    "DEFAULT_THROTTLE_CLASSES": ["users.throttling.TokenRateThrottle"],  # per API token; sessions pass
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
FUNNEL_TOKEN_RATE = os.environ.get("FUNNEL_TOKEN_RATE", "600/min")  # a token without its own rate_limit; "": none
SPECTACULAR_SETTINGS = {
    "TITLE": "Funnel CRM API",
    # The guide is not served (the app serves no docs folder): the page names where it lives.
    "DESCRIPTION": (
        "Leads, accounts, contacts, opportunities and the funnel.\n\n"
        "**API guide: `docs/api.md` in the Funnel CRM repository** (the source tree this server runs from) — "
        "authentication with tokens or the session, paging, filters, search and ordering, idempotency keys, bulk "
        "upsert, CSV import, the lead actions, web-to-lead, errors and throttling, with curl examples. "
        "Lists refuse query parameters they don't document here (400 naming the allowed ones)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # One schema name for the lead source choices, whichever model's field uses them.
    "ENUM_NAME_OVERRIDES": {
        "LeadSourceEnum": "leads.models.LeadSource",
        "CampaignMemberStatusEnum": "campaigns.models.CampaignMember.Status",
    },
}

# --- product settings ---------------------------------------------------------------
FUNNEL_CURRENCY = os.environ.get("FUNNEL_CURRENCY", "USD")
FUNNEL_MQL_THRESHOLD = int(os.environ.get("FUNNEL_MQL_THRESHOLD", 50))
# Record lists count exactly below this many rows; above it they show an estimate ("about 53,000", core/lists.py).
FUNNEL_LIST_EXACT_COUNT_LIMIT = int(os.environ.get("FUNNEL_LIST_EXACT_COUNT_LIMIT", 10_000))
FUNNEL_RATING_HOT = int(os.environ.get("FUNNEL_RATING_HOT", 70))
FUNNEL_RATING_WARM = int(os.environ.get("FUNNEL_RATING_WARM", 40))
# Lead grades (scoring.grades): the profile points a lead needs for A, B and C (below C: D).
FUNNEL_GRADE_A = int(os.environ.get("FUNNEL_GRADE_A", 75))
FUNNEL_GRADE_B = int(os.environ.get("FUNNEL_GRADE_B", 50))
FUNNEL_GRADE_C = int(os.environ.get("FUNNEL_GRADE_C", 25))
# The grade an MQL needs as well as the score (A, B, C or D; empty: the score alone decides).
FUNNEL_MQL_MIN_GRADE = os.environ.get("FUNNEL_MQL_MIN_GRADE", "").strip().upper()
if FUNNEL_MQL_MIN_GRADE not in ("", "A", "B", "C", "D"):
    raise ImproperlyConfigured("FUNNEL_MQL_MIN_GRADE must be A, B, C, D or empty.")
# The qualification checklist on leads (leads.qualification): bant or meddic; and whether qualifying a lead
# (status qualified) needs every item of it answered.
FUNNEL_QUALIFICATION_FRAMEWORK = os.environ.get("FUNNEL_QUALIFICATION_FRAMEWORK", "bant").strip().lower()
if FUNNEL_QUALIFICATION_FRAMEWORK not in ("bant", "meddic"):
    raise ImproperlyConfigured("FUNNEL_QUALIFICATION_FRAMEWORK must be bant or meddic.")
FUNNEL_QUALIFY_REQUIRES_CHECKLIST = env_bool("FUNNEL_QUALIFY_REQUIRES_CHECKLIST", False)
# The predictive conversion model (scoring.predictive): closed leads (converted or unqualified) needed before a model
# is trained and predictions are shown; how far back (days, by when the lead closed) the training history reaches;
# leads read and written per chunk when training and predicting (memory grows with it).
FUNNEL_PREDICTIVE_MIN_CLOSED = int(os.environ.get("FUNNEL_PREDICTIVE_MIN_CLOSED", 200))
FUNNEL_PREDICTIVE_TRAINING_DAYS = int(os.environ.get("FUNNEL_PREDICTIVE_TRAINING_DAYS", 730))
FUNNEL_PREDICTIVE_CHUNK_SIZE = int(os.environ.get("FUNNEL_PREDICTIVE_CHUNK_SIZE", 50_000))
FUNNEL_ENGAGEMENT_HALF_LIFE = timedelta(days=int(os.environ.get("FUNNEL_ENGAGEMENT_HALF_LIFE_DAYS", 30)))
# Leads per transaction of a bulk rescore (0: the measured default in scoring/services.py).
FUNNEL_RESCORE_CHUNK_SIZE = int(os.environ.get("FUNNEL_RESCORE_CHUNK_SIZE", 0))
# Days an uploaded CSV is kept after its import ended (or after an upload left awaiting its mapping); the job, its
# counters and its error report stay.
FUNNEL_IMPORT_FILE_DAYS = int(os.environ.get("FUNNEL_IMPORT_FILE_DAYS", 30))
# Privacy (docs/privacy.md): the suppression list's hash secret (empty: the secret key); retention days (0: for ever).
FUNNEL_PRIVACY_PEPPER = os.environ.get("FUNNEL_PRIVACY_PEPPER", "")
FUNNEL_RETENTION_ACTIVITY_DAYS = int(os.environ.get("FUNNEL_RETENTION_ACTIVITY_DAYS") or 0)
FUNNEL_RETENTION_TRACKING_DAYS = int(os.environ.get("FUNNEL_RETENTION_TRACKING_DAYS") or 0)
FUNNEL_RETENTION_AUDIT_DAYS = int(os.environ.get("FUNNEL_RETENTION_AUDIT_DAYS") or 0)
# Due nurture steps one sender claims per transaction (see nurture/services/sending.py).
FUNNEL_NURTURE_BATCH_SIZE = int(os.environ.get("FUNNEL_NURTURE_BATCH_SIZE", 100))
# Email from a record (nurture.services.record_email): replies go to reply+<token>@FUNNEL_REPLY_DOMAIN, which the
# mail provider forwards to POST /api/v1/inbound-email/ with FUNNEL_INBOUND_EMAIL_TOKEN (empty: the endpoint
# refuses every post). Default domain: the host of FUNNEL_SITE_URL.
FUNNEL_REPLY_DOMAIN = os.environ.get("FUNNEL_REPLY_DOMAIN", "").strip().lower()
FUNNEL_INBOUND_EMAIL_TOKEN = os.environ.get("FUNNEL_INBOUND_EMAIL_TOKEN", "")
FUNNEL_INBOUND_EMAIL_MAX_BYTES = int(os.environ.get("FUNNEL_INBOUND_EMAIL_MAX_BYTES", 2 * 1024 * 1024))
# Open and click tracking of nurture and record emails (nurture.tracking): a 1x1 image and links through
# /t/o/ and /t/c/. Off: no email carries them and no request is recorded (privacy). Never for leads that are
# do-not-contact, unsubscribed or bouncing. Requests within FUNNEL_TRACKING_BOT_SECONDS of sending are prefetches
# and scanners, not people: flagged, never counted as engagement.
FUNNEL_EMAIL_TRACKING = env_bool("FUNNEL_EMAIL_TRACKING", True)
FUNNEL_TRACKING_BOT_SECONDS = int(os.environ.get("FUNNEL_TRACKING_BOT_SECONDS", 5))
# Largest file a person may attach to a record (activities.attachments); bigger uploads get 413 and store nothing.
FUNNEL_ATTACHMENT_MAX_BYTES = int(os.environ.get("FUNNEL_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024))
FUNNEL_FREE_MAIL_DOMAINS = frozenset(
    env_list(
        "FUNNEL_FREE_MAIL_DOMAINS",
        "gmail.com,googlemail.com,outlook.com,hotmail.com,live.com,msn.com,yahoo.com,ymail.com,"
        "aol.com,icloud.com,me.com,mac.com,proton.me,protonmail.com,gmx.com,gmx.de,gmx.net,"
        "web.de,mail.com,yandex.ru,yandex.com,zoho.com,fastmail.com,hey.com,qq.com,163.com",
    )
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    # kombu warns "No hostname was supplied" on every connection to a filesystem:// URL, which has no host to give
    # (its folders are the transport options above); its only other warning in that logger is about rediss://.
    LOGGING["loggers"]["kombu.connection"] = {"level": "ERROR"}
