"""Account pages: the list and one account with its contacts, opportunities and timeline."""

from __future__ import annotations

from django.db.models import Q

from accounts.models import Account
from activities.forms import ActivityForm
from activities.selectors import get_timeline
from activities.views import log_activity_on
from core.views import LogActivityMixin, RecordDetailView, RecordListView

RELATED_LIMIT = 50


class AccountListView(RecordListView):
    """Accounts the user can see, newest first, searchable by name or domain, keyset-paged."""

    model = Account
    related = ("owner",)
    template_name = "accounts/account_list.html"
    context_object_name = "accounts"

    def search(self, accounts, q: str):
        return accounts.filter(Q(name__istartswith=q) | Q(domain__istartswith=q.lower()))


class AccountDetailView(RecordDetailView):
    """One account: details, contacts, opportunities and timeline."""

    model = Account
    related = ("owner", "parent")
    template_name = "accounts/account_detail.html"
    timeline = get_timeline
    activity_form_class = ActivityForm
    activity_kind = "note"
    log_activity = log_activity_on

    def get_extra_context(self, account: Account) -> dict:
        # Contacts and opportunities are apps above accounts: read through the reverse relations, not their modules.
        user = self.request.user
        return {
            "contacts": list(account.contacts.visible_to(user)[:RELATED_LIMIT]),
            "opportunities": list(
                account.opportunities.visible_to(user).select_related("stage", "owner")[:RELATED_LIMIT]
            ),
        }


class AccountLogActivityView(LogActivityMixin, AccountDetailView):
    """Log a note, call, meeting or task on an account."""


account_list = AccountListView.as_view()
account_detail = AccountDetailView.as_view()
account_log_activity = AccountLogActivityView.as_view()
