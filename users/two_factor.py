"""Services of two-factor sign-in: set up, confirm, replace recovery codes, turn off, and check a sign-in's code.

Kept beside `users.services` (users, teams, tokens); the admin's reset of another user's devices is there. The
state they read (devices, the session's pending mark) is in `users.devices`.
"""

from __future__ import annotations

import math

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.exceptions import Conflict
from core.services import save_validated
from users.audit import record_security_event
from users.devices import RECOVERY_CODE_COUNT, count_recovery_codes, has_two_factor, normalise_code
from users.exceptions import TwoFactorLocked, WrongTwoFactorCode
from users.models import SecurityEvent, User

# How the security log tells a second-factor sign-in and a wrong code apart from the password step.
SECOND_FACTOR_DETAIL = "second factor"
WRONG_CODE_DETAIL = "wrong two-factor code"


def _issue_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes")
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def delete_devices(user: User) -> None:
    """Remove `user`'s authenticator apps (set up or not) and recovery codes; caller is inside a transaction."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _match_code(user: User, code: str) -> Device | None:
    """Return the device that accepts `code` (a recovery code is used up); caller is inside a transaction."""
    code = normalise_code(code)
    if not code:
        return None
    for device in devices_for_user(user, for_verify=True):
        if device.verify_token(code):
            return device
    return None


@transaction.atomic
def start_two_factor_setup(user: User) -> TOTPDevice:
    """Give `user` a new authenticator secret to scan, unconfirmed until a code from it comes back; it replaces an
    earlier unfinished one.

    Raises:
        Conflict: two-factor sign-in is already on.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if has_two_factor(user):
        raise Conflict("Two-factor sign-in is already on; turn it off first to set up another app.")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    device = TOTPDevice(user=user, name="Authenticator app", confirmed=False)
    save_validated(device)
    return device


@transaction.atomic
def confirm_two_factor(user: User, *, code: str, request=None) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor sign-in on once `code` comes from the new authenticator; return it with the recovery codes,
    which are shown this once.

    Raises:
        Conflict: no set-up was started.
        WrongTwoFactorCode: the code does not match.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        raise Conflict("Start the set-up first: there is no new authenticator app to confirm.")
    if not device.verify_token(normalise_code(code)):
        raise WrongTwoFactorCode(field="code")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _issue_recovery_codes(user)
    record_security_event(SecurityEvent.Kind.TWO_FACTOR_ENABLED, request=request, user=user)
    return device, codes


@transaction.atomic
def replace_recovery_codes(user: User, *, request=None) -> list[str]:
    """Give `user` ten new recovery codes (shown this once); the old ones stop working.

    Raises:
        Conflict: two-factor sign-in is off.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not has_two_factor(user):
        raise Conflict("Two-factor sign-in is off: there are no recovery codes to replace.")
    codes = _issue_recovery_codes(user)
    record_security_event(SecurityEvent.Kind.RECOVERY_CODES_REPLACED, request=request, user=user)
    return codes


@transaction.atomic
def disable_two_factor(user: User, *, code: str = "", password: str = "", request=None) -> None:
    """Turn `user`'s two-factor sign-in off, given a current code (or a recovery code) or their password.

    Raises:
        Conflict: two-factor sign-in is already off.
        WrongTwoFactorCode: neither the code nor the password is right.
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if not has_two_factor(user):
        raise Conflict("Two-factor sign-in is already off.")
    proven = bool(password) and user.check_password(password)
    if not proven and code:
        proven = _match_code(user, code) is not None
    if not proven:
        raise WrongTwoFactorCode("Enter a current code from your app, a recovery code, or your password.")
    delete_devices(user)
    record_security_event(SecurityEvent.Kind.TWO_FACTOR_DISABLED, request=request, user=user)


def second_factor_retry_after(user: User) -> int:
    """Seconds until `user` may try a code again: 0 unless FUNNEL_LOGIN_FAILURE_LIMIT wrong codes came within the last
    FUNNEL_LOGIN_COOLOFF_MINUTES (after their last good one); the lock lasts until the first of them is that old."""
    limit, cooloff, now = settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME, timezone.now()
    events = SecurityEvent.objects.filter(user=user, created_at__gt=now - cooloff)
    last_good = (
        events.filter(kind=SecurityEvent.Kind.LOGIN_SUCCEEDED, detail__startswith=SECOND_FACTOR_DETAIL)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    failures = events.filter(kind=SecurityEvent.Kind.LOGIN_FAILED, detail=WRONG_CODE_DETAIL)
    if last_good:
        failures = failures.filter(created_at__gt=last_good)
    recent = list(failures.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(recent) < limit:
        return 0
    return max(1, math.ceil((recent[-1] + cooloff - now).total_seconds()))


def verify_second_factor(user: User, *, code: str, request=None) -> Device:
    """Check the second factor of `user`'s sign-in: a code from their app, or an unused recovery code (then used up).
    Every wrong code is logged, and too many lock the step for a while (`second_factor_retry_after`).

    Raises:
        TwoFactorLocked: too many wrong codes lately; this one was not checked.
        WrongTwoFactorCode: the code matches nothing.
    """
    retry_after = second_factor_retry_after(user)
    if retry_after:
        record_security_event(
            SecurityEvent.Kind.LOGIN_FAILED, request=request, user=user, detail="two-factor step locked"
        )
        raise TwoFactorLocked(retry_after=retry_after)
    # The failure is logged outside this transaction, so that refusing the code does not roll the log back.
    with transaction.atomic():
        device = _match_code(user, code)
    if device is None:
        record_security_event(SecurityEvent.Kind.LOGIN_FAILED, request=request, user=user, detail=WRONG_CODE_DETAIL)
        raise WrongTwoFactorCode(field="code")
    how = (
        f"recovery code, {count_recovery_codes(user)} left" if isinstance(device, StaticDevice) else "authenticator app"
    )
    record_security_event(
        SecurityEvent.Kind.LOGIN_SUCCEEDED, request=request, user=user, detail=f"{SECOND_FACTOR_DETAIL}: {how}"
    )
    return device
