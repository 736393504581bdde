from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, render

from accounts.models import Account


@login_required
def account_detail(request, pk: int):
    """One account the user can see: its key fields."""
    account = get_object_or_404(Account.objects.visible_to(request.user).select_related("owner"), pk=pk)
    return render(request, "accounts/account_detail.html", {"account": account})
