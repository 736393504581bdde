"""The admin's reset of another user's two-factor sign-in (users.services.reset_two_factor)."""

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.exceptions import PermissionDenied
from users.models import SecurityEvent
from users.services import reset_two_factor

pytestmark = pytest.mark.django_db


def test_only_an_admin_resets_two_factor(rep, manager, admin, enrol):
    enrol(rep)

    with pytest.raises(PermissionDenied):
        reset_two_factor(rep, by=manager)
    assert TOTPDevice.objects.filter(user=rep).exists()

    reset_two_factor(rep, by=admin)
    assert not TOTPDevice.objects.filter(user=rep).exists()
    assert SecurityEvent.objects.filter(user=rep, kind=SecurityEvent.Kind.TWO_FACTOR_RESET).count() == 1
