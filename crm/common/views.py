"""Helpers the HTML views share: showing service errors on forms and safe redirects."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme

from crm.common.exceptions import ApplicationError


def add_service_error(form: forms.Form, exc: ValidationError | ApplicationError) -> None:
    """Show a service's error on `form`: on its field when the form has it, else at the top."""
    if isinstance(exc, ApplicationError):
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.detail)
        return
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            target = field if field in form.fields else None
            for error in errors:
                form.add_error(target, error)
        return
    form.add_error(None, exc)


def error_text(exc: ValidationError | ApplicationError) -> str:
    """One human sentence for a service error, for a flash message."""
    if isinstance(exc, ApplicationError):
        return exc.detail
    return " ".join(str(message) for message in exc.messages)


def redirect_back(request: HttpRequest, fallback: str) -> HttpResponseRedirect:
    """Go back to the page named in `next` when it is on this site, else to `fallback`."""
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(fallback)


def flash_error(request: HttpRequest, exc: ValidationError | ApplicationError) -> None:
    messages.error(request, error_text(exc))


def paging_links(request: HttpRequest, page) -> dict:
    """ "Next"/"Previous" links for a keyset page that keep the request's other filters."""
    base = request.GET.copy()
    base.pop("after", None)
    base.pop("before", None)

    def link(key: str, cursor: str | None) -> str | None:
        if not cursor:
            return None
        query = base.copy()
        query[key] = cursor
        return f"?{query.urlencode()}"

    return {"next_link": link("after", page.next_cursor), "previous_link": link("before", page.previous_cursor)}
