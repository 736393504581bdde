"""Account pages: the list and one account with its contacts, opportunities and timeline."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.models import Account
from activities.forms import ActivityForm
from activities.selectors import get_timeline
from activities.views import log_activity_on
from crm.common.keyset import keyset_page
from crm.common.views import paging_links

RELATED_LIMIT = 50


@login_required
def account_list(request):
    """Accounts the user can see, newest first, searchable by name or domain, keyset-paged."""
    accounts = Account.objects.visible_to(request.user).select_related("owner")
    q = request.GET.get("q", "").strip()
    if q:
        accounts = accounts.filter(Q(name__istartswith=q) | Q(domain__istartswith=q.lower()))
    page = keyset_page(accounts, sort="-created_at", after=request.GET.get("after"), before=request.GET.get("before"))
    return render(
        request, "accounts/account_list.html", {"accounts": page.items, "q": q, **paging_links(request, page)}
    )


@login_required
def account_detail(request, pk: int):
    """One account: details, contacts, opportunities and timeline."""
    account = get_object_or_404(Account.objects.visible_to(request.user).select_related("owner", "parent"), pk=pk)
    return render(request, "accounts/account_detail.html", _detail_context(request, account))


def _detail_context(request, account: Account, **overrides) -> dict:
    from contacts.models import Contact
    from opportunities.models import Opportunity

    context = {
        "account": account,
        "contacts": list(Contact.objects.visible_to(request.user).filter(account=account)[:RELATED_LIMIT]),
        "opportunities": list(
            Opportunity.objects.visible_to(request.user)
            .filter(account=account)
            .select_related("stage", "owner")[:RELATED_LIMIT]
        ),
        "timeline": get_timeline(request.user, account=account),
        "activity_form": ActivityForm(initial={"kind": "note"}),
        "log_url": reverse("accounts:log_activity", args=[account.pk]),
    }
    context.update(overrides)
    return context


@login_required
@require_POST
def account_log_activity(request, pk: int):
    """Log a note, call, meeting or task on an account."""
    account = get_object_or_404(Account.objects.visible_to(request.user), pk=pk)
    return log_activity_on(
        request,
        record_name="account",
        record=account,
        success_url=reverse("accounts:detail", args=[account.pk]),
        render_page=lambda form: render(
            request, "accounts/account_detail.html", _detail_context(request, account, activity_form=form), status=400
        ),
    )
