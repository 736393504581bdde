"""Sign-in settings, read by crm.settings.base: the lockout of wrong passwords (django-axes), password rules,
the session cookie and the idle timeout, and two-factor sign-in (django-otp). Every variable is in .env.example."""

import os
from datetime import timedelta

from crm.settings.env import env_bool

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/IP before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "users.backends.RoleModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("FUNNEL_LOGIN_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("FUNNEL_LOGIN_COOLOFF_MINUTES", 15)))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_LOCKOUT_CALLABLE = "users.audit.lockout_response"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_COOKIE_AGE", 60 * 60 * 8))
SESSION_SAVE_EVERY_REQUEST = True  # the cookie's age counts from the last request
# Minutes without a request after which a browser session ends (core.middleware.IdleTimeoutMiddleware); 0: never.
FUNNEL_IDLE_TIMEOUT_MINUTES = int(os.environ.get("FUNNEL_IDLE_TIMEOUT_MINUTES") or 60)
# Admins without two-factor sign-in are sent to set it up after signing in, and reach nothing else until they have.
FUNNEL_REQUIRE_2FA_FOR_ADMINS = env_bool("FUNNEL_REQUIRE_2FA_FOR_ADMINS", False)
OTP_TOTP_ISSUER = "Funnel CRM"  # the name authenticator apps show beside the code
# Wrong codes are counted per user against the sign-in lockout's limits (users.two_factor.verify_second_factor):
# django-otp's own growing delays would also refuse the right code typed just after a wrong one.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
