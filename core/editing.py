"""The record form pages: "New <record>" and "Edit <record>", one shape for accounts, contacts and deals.

A page parses its form and calls one service (`create()` / `update()` in the app's view); a service error lands on
the form's field (or at the top), the form shows again with status 200 and nothing is written; a save goes to the
record's page. The form takes the signed-in user as `user=` (it scopes pickers and the owner to what they see).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from core.exceptions import ApplicationError
from core.views import VisibleRecordsMixin, add_service_error


class RecordFormMixin:
    """Show `form_class` on `<app>/<model>_form.html` (which extends record_form.html); save through a service."""

    model: type[models.Model]
    form_class: type[forms.Form]
    template_name = ""

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.model._meta.app_label}:{name}", args=args)

    def get_template_names(self) -> str:
        opts = self.model._meta
        return self.template_name or f"{opts.app_label}/{opts.model_name}_form.html"

    def get_form_kwargs(self) -> dict:
        # An empty POST is still a submission: bound, so that it shows what is missing.
        data = self.request.POST if self.request.method == "POST" else None
        return {"data": data, "user": self.request.user}

    def get_context_data(self, **context) -> dict:
        return context

    def handle(self, form: forms.Form, save, *, record: models.Model | None, cancel_url: str) -> HttpResponse:
        """Save a valid POSTed `form` with `save(form)`, then go to the record's page; else show the form."""
        if self.request.method == "POST" and form.is_valid():
            try:
                saved = save(form)
            except (ValidationError, ApplicationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(self.request, f"{self.model._meta.verbose_name.capitalize()} {saved} saved.")
                return redirect(self.url("detail", saved.pk))
        opts = self.model._meta
        context = {
            "form": form,
            "record": record,
            "heading": f"Edit {record}" if record else f"New {opts.verbose_name}",
            "list_url": self.url("list"),
            "list_label": str(opts.verbose_name_plural).capitalize(),
            "cancel_url": cancel_url,
        }
        return render(self.request, self.get_template_names(), self.get_context_data(**context))


class RecordCreateView(LoginRequiredMixin, RecordFormMixin, View):
    """`/<records>/new/`: an empty form (with `get_initial()`, e.g. the account named in `?account=`)."""

    def get_initial(self) -> dict:
        return {}

    def create(self, form: forms.Form) -> models.Model:
        raise NotImplementedError

    def cancel_url(self) -> str:
        return self.url("list")

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        form = self.form_class(initial=self.get_initial(), **self.get_form_kwargs())
        return self.handle(form, self.create, record=None, cancel_url=self.cancel_url())

    post = get


class RecordEditView(VisibleRecordsMixin, RecordFormMixin, View):
    """`/<records>/<pk>/edit/` for a record the user may see (else 404)."""

    def update(self, record: models.Model, form: forms.Form) -> models.Model:
        raise NotImplementedError

    def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        record = self.get_object()
        form = self.form_class(instance=record, **self.get_form_kwargs())
        return self.handle(
            form,
            lambda form: self.update(record, form),
            record=record,
            cancel_url=self.url("detail", record.pk),
        )

    post = get
