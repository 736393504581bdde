"""Two-factor sign-in state: a user's authenticator app and recovery codes (django-otp's TOTP and static devices),
and whether this browser session still owes its second factor. The writes are in `users.two_factor`."""

from __future__ import annotations

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from users.models import User

# Set at sign-in for a user with two-factor sign-in, cleared once the code is given.
PENDING_SESSION_KEY = "_funnel_second_factor_pending"
RECOVERY_CODE_COUNT = 10


def get_authenticator(user: User, *, confirmed: bool = True) -> TOTPDevice | None:
    """Return `user`'s authenticator app: the confirmed one, or (confirmed=False) the one being set up."""
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-pk").first()


def has_two_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def count_recovery_codes(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def must_enrol(user: User) -> bool:
    """Whether `user` is an admin who must set up two-factor sign-in first (FUNNEL_REQUIRE_2FA_FOR_ADMINS)."""
    return settings.FUNNEL_REQUIRE_2FA_FOR_ADMINS and user.is_admin and not has_two_factor(user)


def normalise_code(raw: str) -> str:
    """A code as typed: spaces and dashes dropped, lower case (recovery codes are shown in lower case)."""
    return "".join(str(raw).split()).replace("-", "").lower()


def begin_second_factor(request, user: User) -> bool:
    """At a password sign-in: when `user` has two-factor sign-in, mark the session as owing the code; return whether
    it does. A verification from an earlier sign-in of this session does not carry over."""
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    if not has_two_factor(user):
        request.session.pop(PENDING_SESSION_KEY, None)
        return False
    request.session[PENDING_SESSION_KEY] = True
    return True


def second_factor_pending(request) -> bool:
    return bool(request.session.get(PENDING_SESSION_KEY))


def finish_second_factor(request, device: Device) -> None:
    """Mark the session verified by `device`, under a fresh session key."""
    request.session.cycle_key()
    otp_login(request, device)
    request.session.pop(PENDING_SESSION_KEY, None)
