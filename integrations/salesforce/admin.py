"""Connected apps in the Django admin, written through integrations.salesforce.services: the client secret is
shown once, in a message, when the app is registered and when its secret is rotated."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from core.admin import AdminServices, AdminWriteRefused, ServiceModelAdmin
from core.exceptions import ApplicationError
from integrations.salesforce.models import ConnectedApp
from integrations.salesforce.services import (
    delete_connected_app,
    register_connected_app,
    rotate_connected_app_secret,
    update_connected_app,
)
from users.models import ApiToken


def register_connected_app_from_admin(
    *, by, name: str, run_as=None, token_scope: str = ApiToken.Scope.WRITE, **_ignored
) -> ConnectedApp:
    """Register an app through `register_connected_app`; the secret rides on it as `raw_secret`, for one message."""
    app, secret = register_connected_app(by=by, name=name, run_as=run_as, token_scope=token_scope)
    app.raw_secret = secret
    return app


@admin.register(ConnectedApp)
class ConnectedAppAdmin(ServiceModelAdmin):
    """Integrations allowed to obtain tokens from /services/oauth2/token (docs/integrations.md)."""

    services = AdminServices(
        create=register_connected_app_from_admin, update=update_connected_app, delete=delete_connected_app
    )
    list_display = [
        "name",
        "client_id",
        "run_as",
        "token_scope",
        "is_active",
        "created_by",
        "created_at",
        "last_used_at",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "client_id"]
    raw_id_fields = ["run_as"]
    list_select_related = ["run_as", "created_by"]
    readonly_fields = ["client_id", "created_by", "created_at", "last_used_at"]
    actions = ["rotate_secret"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "run_as", "token_scope"]
        return ["name", "run_as", "token_scope", "is_active", *self.readonly_fields]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_admin

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            app = register_connected_app_from_admin(by=request.user, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            raise AdminWriteRefused(exc) from exc
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(app, field.attname))
        obj._state.adding, obj._state.db = False, app._state.db
        self.message_user(
            request,
            f"“{app.name}”: client id {app.client_id}, client secret {app.raw_secret} — copy the secret now, "
            "it is not shown again.",
            messages.WARNING,
        )
        return None

    @admin.action(description="Rotate the client secret of the selected apps", permissions=["change"])
    def rotate_secret(self, request, queryset):
        for app in queryset:
            try:
                secret = rotate_connected_app_secret(app, by=request.user)
            except ApplicationError as exc:
                raise AdminWriteRefused(exc, obj=app) from exc
            self.message_user(
                request,
                f"“{app.name}”: new client secret {secret} — copy it now, it is not shown again.",
                messages.WARNING,
            )
