"""Admin building blocks: fast change lists at a million rows, and writes that go through services."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.paginator import Paginator
from django.db import connection, models, router, transaction
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst

from core.exceptions import ApplicationError

COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows, so a change list never scans a whole large table to count it."""

    @cached_property
    def count(self) -> int:
        query = self.object_list.values("pk").order_by()[: COUNT_CAP + 1].query
        sql, params = query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) AS capped", params)  # noqa: S608 - sql is the ORM's own compiled query, values stay parameters  # nosec B608
            return cursor.fetchone()[0]


class FastModelAdmin(admin.ModelAdmin):
    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50


class FunnelAdminSite(admin.AdminSite):
    """The admin for users with the admin role (and Django superusers), whatever their `is_staff` flag."""

    site_header = "Funnel CRM administration"
    site_title = "Funnel CRM admin"
    index_title = "Configuration and records"

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_staff or getattr(user, "is_admin", False))

    def admin_view(self, view, cacheable=False):
        """Wrap an admin page: a signed-in user without the admin role gets 404, as for any page their role lacks.

        Signed-out visitors still go to the admin's login page.
        """
        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                raise Http404("No such page.")
            return guarded(request, *args, **kwargs)

        return functools.update_wrapper(inner, guarded)


ServiceError = ValidationError | ApplicationError


class AdminWriteRefused(Exception):
    """A service refused a write made from the admin; the admin shows `error` instead of answering 500."""

    def __init__(self, error: ServiceError, *, obj: models.Model | None = None) -> None:
        self.error = error
        self.obj = obj
        super().__init__(*refusal_messages(error))


def refusal_messages(error: ServiceError) -> list[str]:
    """Return the human messages of a service error, each prefixed with the field it names."""
    if isinstance(error, ApplicationError):
        return [f"{error.field}: {error.detail}" if error.field else error.detail]
    if hasattr(error, "error_dict"):
        return [
            message if field == NON_FIELD_ERRORS else f"{field}: {message}"
            for field, field_messages in error.message_dict.items()
            for message in field_messages
        ]
    return list(error.messages)


def _add_refusal_to_form(form: forms.BaseForm, error: ServiceError) -> None:
    """Show a service error on the form field it names, or above the form when the form has no such field."""
    if isinstance(error, ApplicationError):
        form.add_error(error.field if error.field in form.fields else None, error.detail)
    elif hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            if field in form.fields:
                form.add_error(field, field_messages)
            else:
                form.add_error(None, refusal_messages(ValidationError({field: field_messages})))
    else:
        form.add_error(None, error.messages)


@dataclass(frozen=True)
class AdminServices:
    """The services an admin writes through: `create(*, by, **values)`, `update(obj, *, by, data)`, `delete(obj, *, by)`."""

    create: Callable[..., models.Model]
    update: Callable[..., models.Model]
    delete: Callable[..., None]


class ServiceModelAdmin(admin.ModelAdmin):
    """A ModelAdmin whose writes go through the owning app's services, so the admin records history as the API does.

    Add calls `services.create(by=request.user, **cleaned values)`; change (the change form and `list_editable`)
    calls `services.update(obj, by=request.user, data=the changed fields only)`; delete (one row or the bulk
    action) calls `services.delete(obj, by=request.user)`. A `ValidationError` or `ApplicationError` from a
    service rolls the whole admin request back and comes back as a form error (change form) or an error
    message (delete, bulk delete, list edits), never as a 500. A bulk delete is all or nothing.
    """

    services: AdminServices

    def save_model(self, request, obj, form, change):
        try:
            if change:
                data = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
                saved = self.services.update(obj, by=request.user, data=data) if data else obj
            else:
                saved = self.services.create(by=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            raise AdminWriteRefused(exc, obj=obj if change else None) from exc
        _adopt(obj, saved)

    def delete_model(self, request, obj):
        try:
            self.services.delete(obj, by=request.user)
        except (ValidationError, ApplicationError) as exc:
            raise AdminWriteRefused(exc, obj=obj) from exc

    def get_deleted_objects(self, objs, request):
        deleted, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        # The service rules on the delete and on what goes with the row (its history, its relations, which
        # their own admins keep read-only), as it does for the API; protected rows still stop it here.
        return deleted, model_count, set(), protected

    def delete_queryset(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(self.model)):
            for obj in queryset:
                self.delete_model(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, _REFUSAL_ATTR, None)
        if refusal is None:
            return form_class

        def clean(form):
            cleaned_data = form_class.clean(form)
            _add_refusal_to_form(form, refusal)
            return cleaned_data

        return type(form_class.__name__, (form_class,), {"clean": clean})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except AdminWriteRefused as refused:
            # The view's transaction rolled back: render the same submission again, the error on its form.
            setattr(request, _REFUSAL_ATTR, refused.error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except AdminWriteRefused as refused:
            self.message_user(request, self.refusal_message(refused, done="deleted"), messages.ERROR)
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=[quote(refused.obj.pk)],
                current_app=self.admin_site.name,
            )
            return HttpResponseRedirect(url)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except AdminWriteRefused as refused:  # a list_editable save, rolled back as a whole
            message = f"Nothing was saved. {self.refusal_message(refused, done='changed')}"
            self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            func, name, description = actions["delete_selected"]
            actions[name] = (_all_or_nothing(func), name, description)
        return actions

    def refusal_message(self, refused: AdminWriteRefused, *, done: str) -> str:
        reasons = " ".join(refusal_messages(refused.error))
        if refused.obj is None:
            return reasons
        return f"{capfirst(self.opts.verbose_name)} “{refused.obj}” was not {done}: {reasons}"


_REFUSAL_ATTR = "_admin_write_refusal"


def _adopt(obj: models.Model, saved: models.Model) -> None:
    """Make the admin's `obj` the row the service wrote (its pk and the values the service normalised)."""
    if saved is obj:
        return
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db


def _all_or_nothing(delete_selected: Callable) -> Callable:
    """Wrap the bulk delete action: one refused row rolls back every deletion and its log entries."""

    @functools.wraps(delete_selected)
    def action(modeladmin, request, queryset):
        try:
            with transaction.atomic(using=router.db_for_write(modeladmin.model)):
                return delete_selected(modeladmin, request, queryset)
        except AdminWriteRefused as refused:
            message = f"Nothing was deleted. {modeladmin.refusal_message(refused, done='deleted')}"
            modeladmin.message_user(request, message, messages.ERROR)
            return None

    return action


class ReadOnlyAdminMixin:
    """For rows that no service writes from here (history, relations): they are shown, never added, changed or
    deleted. On an inline, Django then renders every field read-only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
