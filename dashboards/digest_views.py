"""Unsubscribe from the weekly digest through the signed link every digest carries."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dashboards.digest import read_unsubscribe_token
from users.models import User
from users.services import update_user


# CSRF-exempt: one-click unsubscribe POSTs (RFC 8058) come from mail providers without a cookie; the signed token
# is the credential, and the action only ever reduces what we send. A GET only asks: link scanners fetch links.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Confirm (GET) or record (POST) turning the weekly digest off for the user in the signed token."""
    user_id = read_unsubscribe_token(token)
    person = User.objects.filter(pk=user_id).first() if user_id else None
    if person is None:
        return render(request, "dashboards/digest_unsubscribe.html", {"invalid": True}, status=404)
    context = {"person": person, "already": not person.weekly_digest}
    if request.method == "POST":
        if person.weekly_digest:
            update_user(person, by=person, data={"weekly_digest": False})
        context["done"] = True
    return render(request, "dashboards/digest_unsubscribe.html", context)
