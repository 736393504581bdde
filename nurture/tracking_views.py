"""The public tracking endpoints: `/t/o/<token>` (the open pixel) and `/t/c/<token>?u=…` (a tracked link).

No one signs in (the reader's mail client asks), so there is no `visible_to`: the random token is the only key,
and it reveals nothing but a 1x1 image or a redirect to a URL that was in that email. A malformed or unknown
token, or a link that was not in the email, is a 404 — never a 500, never an open redirect. HEAD requests are
answered like GET but never counted as a person (`nurture.tracking.bot_reason`).
"""

from __future__ import annotations

from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from nurture.models import TrackingHit
from nurture.services.tracking import find_tracked_email, record_hit
from nurture.tracking import read_click

# A transparent 1x1 GIF.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def _user_agent(request) -> str:
    return request.META.get("HTTP_USER_AGENT", "")


@never_cache
@require_http_methods(["GET", "HEAD"])
def track_open(request, token: str):
    """Count an open and answer with the transparent pixel (never cached, so every open asks)."""
    email = find_tracked_email(token)
    if email is None:
        raise Http404("No such email.")
    record_hit(email, kind=TrackingHit.Kind.OPEN, method=request.method, user_agent=_user_agent(request))
    response = HttpResponse(PIXEL, content_type="image/gif")
    response["Content-Length"] = str(len(PIXEL))
    return response


@never_cache
@require_http_methods(["GET", "HEAD"])
def track_click(request, token: str):
    """Count a click and redirect (302) to the link it stands for, when that link was in this email."""
    email = find_tracked_email(token)
    url = read_click(token, request.GET.get("u", "")) if email is not None else None
    if url is None:
        raise Http404("No such link.")
    record_hit(email, kind=TrackingHit.Kind.CLICK, method=request.method, user_agent=_user_agent(request), url=url)
    response = HttpResponseRedirect(url)
    response["Referrer-Policy"] = "no-referrer"  # the target never learns the tracking token
    return response
