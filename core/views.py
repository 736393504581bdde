"""What the HTML views share: the record pages' base views, service errors on forms, safe redirects, paging links,
the 404 and 403 handlers and /favicon.ico."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View, defaults

from core.exceptions import ApplicationError
from core.keyset import keyset_page
from core.lists import PAGE_PARAMS, Column, count_records, shape_list


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


class VisibleRecordsMixin(LoginRequiredMixin):
    """Records of `model` the signed-in user may see (`visible_to`), with `related` joined; the URL's `pk` or 404."""

    model: type[models.Model]
    related: tuple[str, ...] = ()

    def get_queryset(self) -> models.QuerySet:
        return self.model.objects.visible_to(self.request.user).select_related(*self.related)

    def get_object(self) -> models.Model:
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class RecordListView(VisibleRecordsMixin, View):
    """One keyset page of the visible records as `context_object_name` (and `records`), with paging links, the
    record count, and the columns and order the rep chose (core.lists: `cols=`, `sort=`, else `sort`).

    `?q=` goes through `search()`; `get_queryset()` may filter further and `get_context_data()` add to the page.
    The shared template renders each shown column's cell with `cell_template` (`record` and `col` in context).
    """

    template_name: str
    context_object_name: str
    cell_template: str = ""
    columns: tuple[Column, ...] = ()
    sort = "-created_at"
    page_size = 50

    @property
    def list_key(self) -> str:
        """The list's name in saved views: its app's label (leads, accounts, contacts, opportunities)."""
        return self.model._meta.app_label

    def search(self, queryset: models.QuerySet, q: str) -> models.QuerySet:
        return queryset

    def get_context_data(self, **context) -> dict:
        return context

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        q = request.GET.get("q", "").strip()
        records = self.get_queryset()
        if q:
            records = self.search(records, q)
        shape = shape_list(request.GET, model=self.model, columns=self.columns, default_sort=self.sort)
        after, before = request.GET.get("after"), request.GET.get("before")
        page = keyset_page(records, sort=shape.sort, after=after, before=before, size=self.page_size)
        view_query = request.GET.copy()
        for name in PAGE_PARAMS:
            view_query.pop(name, None)
        count = count_records(records)
        meta = self.model._meta
        context = {
            self.context_object_name: page.items,
            "records": page.items,
            "q": q,
            "shape": shape,
            "cell_template": self.cell_template,
            "record_count": count,
            "record_noun": meta.verbose_name if count.exact and count.value == 1 else meta.verbose_name_plural,
            "list_key": self.list_key,
            "view_query": view_query.urlencode(),
            # What the column chooser's form carries over: the filters and the sort, not the columns or the page.
            "kept_params": [(name, v) for name, values in view_query.lists() if name != "cols" for v in values],
            **paging_links(request, page),
        }
        return render(request, self.template_name, self.get_context_data(**context))


class RecordDetailView(VisibleRecordsMixin, View):
    """One record's page: the record (named after its model), `get_extra_context()`, its timeline and the form
    that logs activity on it, posted to `<app_label>:log_activity`.

    Core sits below activities, so the app hands in the timeline's parts as plain functions, read through the
    class so that they don't bind to the view: `timeline(user, **{record_name: record})`, `activity_form_class`
    and `log_activity(request, record_name=, record=, success_url=, render_page=)`.
    """

    template_name: str
    timeline = None
    activity_form_class: type[forms.Form]
    activity_kind = "call"
    log_activity = None

    @property
    def record_name(self) -> str:
        return self.model._meta.model_name

    def record_url(self, name: str, record: models.Model) -> str:
        return reverse(f"{self.model._meta.app_label}:{name}", args=[record.pk])

    def get_extra_context(self, record: models.Model) -> dict:
        return {}

    def get_context_data(self, record: models.Model, **overrides) -> dict:
        timeline = type(self).timeline
        return {
            self.record_name: record,
            **self.get_extra_context(record),
            "timeline": timeline(self.request.user, **{self.record_name: record}),
            "activity_form": self.activity_form_class(initial={"kind": self.activity_kind}),
            "log_url": self.record_url("log_activity", record),
            **overrides,
        }

    def render_page(self, record: models.Model, *, status: int = 200, **overrides) -> HttpResponse:
        """The record's page; an action that failed passes its bound form as an override, with status 400."""
        return render(self.request, self.template_name, self.get_context_data(record, **overrides), status=status)

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.render_page(self.get_object())


class RecordActionMixin:
    """A POST acting on the record of a `RecordDetailView`; other methods get 405, as with `require_POST`."""

    http_method_names = ["post"]


class LogActivityMixin(RecordActionMixin):
    """Log a note, call, meeting or task on the record; bad input shows the record's page again with the form."""

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return self.log_activity_for(self.get_object())

    def log_activity_for(self, record: models.Model) -> HttpResponse:
        log_activity = type(self).log_activity
        return log_activity(
            self.request,
            record_name=self.record_name,
            record=record,
            success_url=self.record_url("detail", record),
            render_page=lambda form: self.render_page(record, status=400, activity_form=form),
        )


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler404: the API.md error body under /api/, the app's page (templates/404.html) elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    """handler403: the API.md error body under /api/, the app's page (templates/403.html) elsewhere."""
    if request.path.startswith("/api/"):
        detail = "You do not have permission to perform this action."
        return JsonResponse({"code": "permission_denied", "detail": detail}, status=403)
    return defaults.permission_denied(request, exception)


def favicon(request: HttpRequest) -> HttpResponse:
    """Send browsers that ask for /favicon.ico on their own (API pages, the admin) to the static icon."""
    # Not permanent: in production the target is a content-hashed name that changes with the icon.
    response = HttpResponseRedirect(static("favicon.ico"))
    patch_cache_control(response, public=True, max_age=60 * 60 * 24)
    return response
