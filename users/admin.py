"""Users, teams and API tokens in the admin: every write goes through `users.services`, as in the API."""

from __future__ import annotations

from contextvars import ContextVar

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.views.decorators.debug import sensitive_post_parameters
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin import AdminServices, AdminWriteRefused, FastModelAdmin, ReadOnlyAdminMixin, ServiceModelAdmin
from core.exceptions import ApplicationError
from users.devices import count_recovery_codes, get_authenticator
from users.models import ApiToken, SecurityEvent, Team, User
from users.selectors import list_security_events_of
from users.services import (
    create_api_token,
    create_team,
    create_user,
    deactivate_user,
    delete_team,
    reset_two_factor,
    revoke_api_token,
    set_user_password,
    update_team,
    update_user,
)

# Who is acting: Django's password view builds its form, and the change page its read-only fields, without the
# request.
_acting_user: ContextVar[User | None] = ContextVar("users_admin_acting_user", default=None)


def create_user_from_admin(*, by: User, password1: str = "", set_usable_password: bool = True, **values) -> User:
    """Create a user from Django's add-user form: a password, or (password-based sign-in disabled) none."""
    return create_user(by=by, password=password1 if set_usable_password else None, **values)


def refuse_user_delete(user: User, *, by: User) -> None:
    """Users are deactivated, never deleted: their records keep their owner and their history its actor."""
    raise ValidationError("Users are not deleted; deactivate them instead.")


class ServicePasswordChangeForm(AdminPasswordChangeForm):
    """Django's set-password form, saved through `users.services.set_user_password`."""

    def save(self, commit=True):
        password = self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        try:
            self.user = set_user_password(self.user, by=_acting_user.get(), password=password)
        except (ValidationError, ApplicationError) as exc:
            raise AdminWriteRefused(exc, obj=self.user) from exc
        return self.user


@admin.register(User)
class UserAdmin(DjangoUserAdmin, ServiceModelAdmin):
    """Users, written through `users.services`: unticking "active" deactivates (sessions end, tokens are revoked);
    the add form's password and the change form's password page go through the services too. Users are never
    deleted here (deactivate them)."""

    services = AdminServices(create=create_user_from_admin, update=update_user, delete=refuse_user_delete)
    change_password_form = ServicePasswordChangeForm
    list_display = ["username", "name", "email", "role", "function", "level", "team", "accepts_leads", "is_active"]
    list_filter = ["role", "function", "level", "team", "accepts_leads", "is_active"]
    search_fields = ["username", "name", "email", "first_name", "last_name"]
    autocomplete_fields = ["team"]
    readonly_fields = ["last_login", "date_joined", "two_factor", "security_log"]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Sales", {"fields": ["name", "role", "team", "accepts_leads", "lead_capacity"]}),
        ("Weekly digest", {"fields": ["time_zone", "weekly_digest"]}),
        ("Routing", {"fields": ["function", "level", "skills", "routing_shares"]}),
        ("Sign-in", {"fields": ["two_factor", "security_log"]}),
    ]
    add_fieldsets = [
        *DjangoUserAdmin.add_fieldsets,
        ("Sales", {"fields": ["name", "email", "role", "team", "function"]}),
    ]
    actions = ["deactivate_selected"]

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        token = _acting_user.set(request.user)  # the security log shows what this admin may see
        try:
            response = super().change_view(request, object_id, form_url, extra_context)
            return response.render() if hasattr(response, "render") else response
        finally:
            _acting_user.reset(token)

    @admin.display(description="Two-factor sign-in")
    def two_factor(self, obj: User) -> str:
        authenticator = get_authenticator(obj)
        if authenticator is None:
            return "Off"
        reset_url = reverse("admin:users_user_two_factor_reset", args=[obj.pk], current_app=self.admin_site.name)
        return format_html(
            'On since {} ({} recovery codes left) · <a href="{}">Reset two-factor sign-in</a>',
            f"{authenticator.created_at:%Y-%m-%d}",
            count_recovery_codes(obj),
            reset_url,
        )

    @admin.display(description="Security log")
    def security_log(self, obj: User) -> str:
        events = list_security_events_of(obj, by=_acting_user.get())
        if not events:
            return "Nothing yet."
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    f"{timezone.localtime(event.created_at):%Y-%m-%d %H:%M:%S}",
                    event.get_kind_display(),
                    event.ip_address or "",
                    event.detail,
                )
                for event in events
            ),
        )
        changelist = reverse("admin:users_securityevent_changelist", current_app=self.admin_site.name)
        return format_html(
            "<table><thead><tr><th>When</th><th>What</th><th>Address</th><th>Detail</th></tr></thead>"
            '<tbody>{}</tbody></table><p><a href="{}?{}">All of it in the security log</a></p>',
            rows,
            changelist,
            urlencode({"q": obj.username}),
        )

    def get_urls(self):
        reset = self.admin_site.admin_view(self.two_factor_reset_view)
        return [
            path("<path:object_id>/two-factor/reset/", reset, name="users_user_two_factor_reset"),
            *super().get_urls(),
        ]

    def two_factor_reset_view(self, request, object_id):
        """Confirm, then reset `object_id`'s two-factor sign-in through `users.services.reset_two_factor`."""
        user = get_object_or_404(User.objects.visible_to(request.user), pk=object_id)
        if not self.has_change_permission(request, user):
            raise PermissionDenied
        change_url = reverse("admin:users_user_change", args=[user.pk], current_app=self.admin_site.name)
        if request.method == "POST":
            try:
                reset_two_factor(user, by=request.user, request=request)
            except ApplicationError as exc:
                self.message_user(request, exc.detail, messages.ERROR)
            else:
                self.message_user(
                    request, f"{user}: two-factor sign-in reset; their next sign-in asks for the password only."
                )
            return HttpResponseRedirect(change_url)
        context = {**self.admin_site.each_context(request), "title": "Reset two-factor sign-in", "target": user}
        return TemplateResponse(request, "users/admin_two_factor_reset.html", {**context, "change_url": change_url})

    def save_related(self, request, form, formsets, change):
        # `update_user` wrote the groups and permissions with the user: the form must not write them again.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @method_decorator(sensitive_post_parameters())
    def user_change_password(self, request, id, form_url=""):
        token = _acting_user.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        except AdminWriteRefused as refused:
            self.message_user(request, self.refusal_message(refused, done="changed"), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        finally:
            _acting_user.reset(token)

    @admin.action(description="Deactivate the selected users", permissions=["change"])
    def deactivate_selected(self, request, queryset):
        users = list(queryset.filter(is_active=True))
        for user in users:
            deactivate_user(user, by=request.user)
        self.message_user(request, f"Deactivated {len(users)} user(s); their sessions ended and tokens were revoked.")


@admin.register(Team)
class TeamAdmin(ServiceModelAdmin, FastModelAdmin):
    """Teams, written through `users.services`; deleting one leaves its members without a team."""

    services = AdminServices(create=create_team, update=update_team, delete=delete_team)
    list_display = ["name", "manager"]
    search_fields = ["name"]
    autocomplete_fields = ["manager"]
    list_select_related = ["manager"]


def create_api_token_from_admin(*, by: User, user: User, name: str, request=None, **options) -> ApiToken:
    """Create a token through `create_api_token` (`options`: scope, expires_at, rate_limit); the raw key rides on the
    token as `raw_key`, for one message."""
    token, raw = create_api_token(user=user, name=name, request=request, **options)
    token.raw_key = raw
    return token


def refuse_token_edit(token: ApiToken, *, by: User, data: dict) -> ApiToken:
    """Nothing on a token is edited: revoke it and create another."""
    raise ValidationError("API tokens are not edited; revoke this one and create another.")


# Chosen when a token is created, fixed after.
CREATION_OPTIONS = ["scope", "expires_at", "rate_limit"]


@admin.register(ApiToken)
class ApiTokenAdmin(ServiceModelAdmin, FastModelAdmin):
    """API tokens, created and revoked through `users.services`: the new key is shown once, in a message; a token
    is revoked (the "Revoke" action), never edited or deleted, so its row stays as the audit trail."""

    services = AdminServices(create=create_api_token_from_admin, update=refuse_token_edit, delete=revoke_api_token)
    list_display = ["name", "user", "prefix", "scope", "expires_at", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["scope", "revoked_at"]
    search_fields = ["name", "user__username", "prefix"]
    raw_id_fields = ["user"]
    list_select_related = ["user"]
    readonly_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]
    actions = ["revoke_selected"]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "name", *CREATION_OPTIONS]
        return ["user", "name", *CREATION_OPTIONS, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "name", *CREATION_OPTIONS, *self.readonly_fields]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:  # every field is read-only: there is nothing to save
            return
        try:
            token = self.services.create(by=request.user, request=request, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            raise AdminWriteRefused(exc) from exc
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding, obj._state.db = False, token._state.db
        self.message_user(
            request,
            f"The key of “{token.name}” is {token.raw_key} — copy it now, it is not shown again.",
            messages.WARNING,
        )

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke_selected(self, request, queryset):
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            revoke_api_token(token, by=request.user, request=request)
        self.message_user(request, f"Revoked {len(tokens)} token(s).")


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdminMixin, FastModelAdmin):
    """The security audit: shown, never added, changed or deleted here."""

    list_display = ["created_at", "kind", "username", "user", "ip_address", "path", "detail"]
    list_filter = ["kind"]
    search_fields = ["username", "ip_address", "detail"]
    date_hierarchy = "created_at"
    readonly_fields = ["kind", "user", "username", "ip_address", "path", "detail", "created_at"]


# Devices are written only through users.two_factor and users.services (set up, turn off, reset above), and their
# secrets are not shown here.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)
