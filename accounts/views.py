"""Account pages: the list, one account with its contacts, opportunities and timeline, the new and edit forms, and
the JSON the forms call while the user types (the account picker, duplicate hints)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from accounts.forms import AccountForm
from accounts.models import Account
from accounts.selectors import list_account_choices, list_duplicate_accounts
from accounts.services import create_account, update_account
from activities.forms import ActivityForm
from activities.selectors import get_timeline
from activities.views import log_activity_on
from core.editing import RecordCreateView, RecordEditView
from core.lists import Column
from core.lookups import id_param, lookup_view, text_param
from core.views import LogActivityMixin, RecordDetailView, RecordListView

RELATED_LIMIT = 50


class AccountListView(RecordListView):
    """Accounts the user can see, newest first, searchable by name or domain, keyset-paged."""

    model = Account
    related = ("owner",)
    template_name = "accounts/account_list.html"
    context_object_name = "accounts"
    cell_template = "accounts/_account_cell.html"
    columns = (
        Column("name", "Name", sort="name", fixed=True),
        Column("domain", "Domain", sort="domain", css="opt-narrow"),
        Column("industry", "Industry", sort="industry"),
        Column("city", "City", sort="billing_city"),
        Column("owner", "Owner", css="opt-narrow"),
        Column("created", "Created", sort="created_at", css="nowrap opt"),
        Column("website", "Website", sort="website", default=False),
        Column("phone", "Phone", css="nowrap", default=False),
        Column("country", "Country", sort="billing_country", default=False),
        Column("employees", "Employees", sort="employees", css="num", default=False),
        Column("annual_revenue", "Annual revenue", sort="annual_revenue", css="num", default=False),
        Column("updated", "Updated", sort="updated_at", css="nowrap", default=False),
    )

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


class OnAccountMixin:
    """A new record's form opened from an account's page (`?account=<id>`, an account the user can see): the
    account is preselected and Cancel goes back to it."""

    def account(self) -> Account | None:
        account_id = self.request.GET.get("account", "")
        if not account_id.isdigit():
            return None
        return Account.objects.visible_to(self.request.user).filter(pk=int(account_id)).first()

    def get_initial(self) -> dict:
        account = self.account()
        return {**super().get_initial(), "account": account.pk} if account else super().get_initial()

    def cancel_url(self) -> str:
        account = self.account()
        return reverse("accounts:detail", args=[account.pk]) if account else super().cancel_url()


class AccountCreateView(RecordCreateView):
    """A new account, the user's own unless a manager or admin picks another owner."""

    model = Account
    form_class = AccountForm

    def create(self, form: AccountForm) -> Account:
        data = dict(form.cleaned_data)
        return create_account(by=self.request.user, owner=data.pop("owner", None), **data)


class AccountEditView(RecordEditView):
    """Edit an account the user can see."""

    model = Account
    related = ("owner", "parent")
    form_class = AccountForm

    def update(self, account: Account, form: AccountForm) -> Account:
        return update_account(account, by=self.request.user, data=form.cleaned_data)


def _account_detail(account: Account) -> str:
    return " · ".join(part for part in (account.domain, account.billing_city) if part)


@lookup_view
def account_autocomplete(request):
    """The account picker: visible accounts whose name contains `?q=`."""
    return [(a, a.name, _account_detail(a)) for a in list_account_choices(request.user, q=text_param(request, "q"))]


@lookup_view
def account_duplicates(request):
    """Visible accounts with the same name or website domain as `?name=` / `?domain=` (but `?exclude=`)."""
    accounts = list_duplicate_accounts(
        request.user,
        name=text_param(request, "name"),
        domain=text_param(request, "domain"),
        exclude=id_param(request, "exclude"),
    )
    return [(a, a.name, _account_detail(a)) for a in accounts]


account_list = AccountListView.as_view()
account_create = AccountCreateView.as_view()
account_edit = AccountEditView.as_view()
account_detail = AccountDetailView.as_view()
account_log_activity = AccountLogActivityView.as_view()
