"""Inline edit of an account's phone (core.inline): the account page and the account list."""

from __future__ import annotations

from typing import Any

from accounts.models import Account
from accounts.services import update_account
from core.inline import InlineEditView, InlineField, model_field


class AccountInlineView(InlineEditView):
    """Change the phone of an account the user can see."""

    model = Account
    fields = {"phone": InlineField(model_field(Account, "phone"), input="tel")}

    def save(self, account: Account, name: str, value: Any, *, reason: str) -> Account:
        return update_account(account, by=self.request.user, data={name: value})


account_inline = AccountInlineView.as_view()
