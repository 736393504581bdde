"""Writes on accounts: the parent tree has no loops."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Account
from accounts.services import create_account, update_account

pytestmark = pytest.mark.django_db


def test_an_account_cannot_sit_under_one_of_its_own_children(rep):
    top = create_account(by=rep, name="Top")
    middle = create_account(by=rep, name="Middle", parent=top)
    bottom = create_account(by=rep, name="Bottom", parent=middle)
    with pytest.raises(ValidationError) as caught:
        update_account(top, by=rep, data={"parent": bottom})
    assert "parent" in caught.value.error_dict
    assert Account.objects.get(pk=top.pk).parent is None
    update_account(bottom, by=rep, data={"parent": top})
    assert Account.objects.get(pk=bottom.pk).parent == top
