"""Two-factor sign-in pages: the user's own settings (set up, confirm, recovery codes, turn off) and the code step
of signing in."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.exceptions import ApplicationError
from users.devices import count_recovery_codes, finish_second_factor, get_authenticator, has_two_factor, must_enrol
from users.exceptions import TwoFactorLocked, WrongTwoFactorCode
from users.forms import DisableTwoFactorForm, TwoFactorCodeForm
from users.models import User
from users.two_factor import (
    confirm_two_factor,
    disable_two_factor,
    replace_recovery_codes,
    start_two_factor_setup,
    verify_second_factor,
)


def _me(request) -> User:
    return get_object_or_404(User.objects.visible_to(request.user), pk=request.user.pk)


def _setup_context(device) -> dict:
    """The secret of an authenticator being set up: grouped for typing, as an otpauth:// link and as a QR code."""
    secret = b32encode(device.bin_key).decode()
    qr = segno.make(device.config_url, error="m")
    svg = qr.svg_inline(scale=4, border=2, light="#fff", title="QR code for your authenticator app")
    return {
        "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        "otpauth_uri": device.config_url,
        # segno writes the SVG itself from the URI (no user text in it), so it is safe to inline.
        "qr_svg": mark_safe(svg),  # nosec B308 B703
    }


def _settings_page(request, user: User, *, confirm_form=None, disable_form=None, status: int = 200):
    authenticator = get_authenticator(user)
    context = {
        "authenticator": authenticator,
        "codes_left": count_recovery_codes(user) if authenticator else 0,
        "required": must_enrol(user),
        "confirm_form": confirm_form or TwoFactorCodeForm(),
        "disable_form": disable_form or DisableTwoFactorForm(),
    }
    if authenticator is None:
        pending = get_authenticator(user, confirmed=False)
        if pending is not None:
            context.update(pending=pending, **_setup_context(pending))
    return render(request, "users/two_factor.html", context, status=status)


def _codes_page(request, codes: list[str], *, first_time: bool):
    return render(request, "users/two_factor_codes.html", {"codes": codes, "first_time": first_time})


@never_cache
@login_required
def two_factor_settings(request):
    return _settings_page(request, _me(request))


@never_cache
@login_required
@require_POST
def two_factor_setup(request):
    try:
        start_two_factor_setup(_me(request))
    except ApplicationError as exc:
        messages.error(request, exc.detail)
    return redirect("users:two_factor")


@never_cache
@login_required
@require_POST
def two_factor_confirm(request):
    user = _me(request)
    form = TwoFactorCodeForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, user, confirm_form=form, status=400)
    try:
        device, codes = confirm_two_factor(user, code=form.cleaned_data["code"], request=request)
    except WrongTwoFactorCode as exc:
        form.add_error("code", exc.detail)
        return _settings_page(request, user, confirm_form=form, status=400)
    except ApplicationError as exc:
        messages.error(request, exc.detail)
        return redirect("users:two_factor")
    finish_second_factor(request, device)  # the code just given verifies this session too
    return _codes_page(request, codes, first_time=True)


@never_cache
@login_required
@require_POST
def two_factor_recovery_codes(request):
    try:
        codes = replace_recovery_codes(_me(request), request=request)
    except ApplicationError as exc:
        messages.error(request, exc.detail)
        return redirect("users:two_factor")
    return _codes_page(request, codes, first_time=False)


@never_cache
@login_required
@require_POST
def two_factor_disable(request):
    user = _me(request)
    form = DisableTwoFactorForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, user, disable_form=form, status=400)
    try:
        disable_two_factor(user, request=request, **form.cleaned_data)
    except WrongTwoFactorCode as exc:
        form.add_error(None, exc.detail)
        return _settings_page(request, user, disable_form=form, status=400)
    except ApplicationError as exc:
        messages.error(request, exc.detail)
        return redirect("users:two_factor")
    messages.success(request, "Two-factor sign-in is off: signing in now asks for your password only.")
    return redirect("users:two_factor")


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@never_cache
@login_required
def two_factor_verify(request):
    user = _me(request)
    if request.user.is_verified() or not has_two_factor(user):
        return redirect(_next_url(request))
    form = TwoFactorCodeForm(request.POST or None)
    status, retry_after = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                device = verify_second_factor(user, code=form.cleaned_data["code"], request=request)
            except TwoFactorLocked as exc:
                form.add_error(None, exc.detail)
                status, retry_after = 429, exc.retry_after
            except WrongTwoFactorCode as exc:
                form.add_error("code", exc.detail)
            else:
                finish_second_factor(request, device)
                return redirect(_next_url(request))
    context = {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")}
    response = render(request, "registration/two_factor_verify.html", context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response
