"""Writes on users, teams and API tokens, and an admin's reset of a user's two-factor sign-in (the user's own
two-factor writes are in users.two_factor)."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from core.exceptions import Conflict, PermissionDenied
from core.services import apply_changes, save_validated
from users.audit import record_security_event
from users.models import ApiToken, SecurityEvent, Team, User
from users.two_factor import delete_devices

# A token may create tokens up to its own scope, never wider (a write token cannot mint an admin one).
SCOPE_ORDER = [ApiToken.Scope.READ, ApiToken.Scope.WRITE, ApiToken.Scope.ADMIN]


@transaction.atomic
def create_api_token(
    *,
    user: User,
    name: str,
    scope: str = ApiToken.Scope.WRITE,
    expires_at: datetime | None = None,
    rate_limit: int | None = None,
    within_scope: str | None = None,
    request=None,
) -> tuple[ApiToken, str]:
    """Create a token for one integration of `user`; return it with the raw key, shown only once.

    `within_scope` is the scope of the token the request itself came with (None for a session or a password).

    Raises:
        ValidationError: an admin scope for a non-admin, an expiry not in the future, a rate limit below 1.
        PermissionDenied: a scope wider than `within_scope`.
    """
    if within_scope is not None and scope in SCOPE_ORDER and SCOPE_ORDER.index(scope) > SCOPE_ORDER.index(within_scope):
        raise PermissionDenied(f"A {within_scope} token cannot create a token of the {scope} scope.", field="scope")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": "The expiry must be in the future."})
    # One live token per integration: issuing a new one for the same name rotates the old one out.
    ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).update(revoked_at=timezone.now())
    raw = ApiToken.generate()
    token = ApiToken(
        user=user,
        name=name,
        prefix=raw[:8],
        digest=ApiToken.digest_of(raw),
        scope=scope,
        expires_at=expires_at,
        rate_limit=rate_limit,
    )
    token.full_clean()
    token.save()
    record_security_event(
        SecurityEvent.Kind.TOKEN_CREATED, request=request, user=user, detail=f"{name} ({token.prefix}…, {scope})"
    )
    return token, raw


@transaction.atomic
def revoke_api_token(token: ApiToken, *, by: User, request=None) -> ApiToken:
    """Revoke `token`; a revoked token authenticates nothing."""
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        record_security_event(
            SecurityEvent.Kind.TOKEN_REVOKED, request=request, user=by, detail=f"{token.name} ({token.prefix}…)"
        )
    token.refresh_from_db()
    return token


@transaction.atomic
def deactivate_user(user: User, *, by: User) -> User:
    """Deactivate `user`: end their sessions and revoke their tokens."""
    from django.contrib.sessions.models import Session

    User.objects.filter(pk=user.pk).update(is_active=False)
    record_security_event(SecurityEvent.Kind.USER_DEACTIVATED, user=by, detail=f"deactivated {user.username}")
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
    user.refresh_from_db()
    return user


def _validate_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from exc


USER_FIELDS = [
    "username",
    "email",
    "name",
    "first_name",
    "last_name",
    "role",
    "team",
    "accepts_leads",
    "lead_capacity",
    # what routing and the SDR-to-AE hand-off look at (assignment)
    "function",
    "level",
    "skills",
    "routing_shares",
    # when and whether the weekly digest arrives (dashboards)
    "time_zone",
    "weekly_digest",
]
# Django's admin access: who may open the admin, and the groups and permissions that say what they may do there.
ACCESS_FIELDS = ["is_staff", "is_superuser"]
PERMISSION_SETS = ["groups", "user_permissions"]


def _set_permission_sets(user: User, values: dict) -> list[str]:
    """Replace the groups and permissions given in `values`; return the names of those that changed."""
    changed = []
    for relation in PERMISSION_SETS:
        if relation not in values:
            continue
        manager = getattr(user, relation)
        new = {item.pk for item in values[relation]}
        if new != set(manager.values_list("pk", flat=True)):
            manager.set(list(values[relation]))
            changed.append(relation)
    return changed


@transaction.atomic
def create_user(*, by: User, password: str | None = None, **fields) -> User:
    """Create a login; without a password it can only use API tokens until an admin sets one."""
    user = User(**{k: v for k, v in fields.items() if k in [*USER_FIELDS, *ACCESS_FIELDS, "is_active"]})
    if password:
        _validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    save_validated(user)
    _set_permission_sets(user, fields)
    return user


@transaction.atomic
def update_user(user: User, *, by: User, data: dict) -> User:
    """Edit a user (admin access, groups and permissions included); deactivating also ends their sessions and
    revokes their tokens."""
    user = User.objects.select_for_update().get(pk=user.pk)
    changes = apply_changes(user, data, fields=[*USER_FIELDS, *ACCESS_FIELDS])
    if data.get("password"):
        _validate_password(data["password"], user)
        user.set_password(data["password"])
        changes["password"] = (None, None)
    if changes:
        user.full_clean()
        user.save(update_fields=list(changes))
    _set_permission_sets(user, data)
    if data.get("is_active") is False and user.is_active:
        return deactivate_user(user, by=by)
    if data.get("is_active") is True and not user.is_active:
        User.objects.filter(pk=user.pk).update(is_active=True)
        user.refresh_from_db()
    return user


@transaction.atomic
def set_user_password(user: User, *, by: User, password: str | None) -> User:
    """Set `user`'s password; `None` turns password sign-in off (API tokens and other backends still work).

    The user's other sessions end with the old password (Django checks the password hash on each request).

    Raises:
        ValidationError: the password fails the password validators (under `password`).
    """
    user = User.objects.select_for_update().get(pk=user.pk)
    if password is None:
        user.set_unusable_password()
    else:
        _validate_password(password, user)
        user.set_password(password)
    user.save(update_fields=["password"])
    return user


TEAM_FIELDS = ["name", "manager"]


@transaction.atomic
def create_team(*, by: User, **fields) -> Team:
    """Create a team, optionally with its manager."""
    team = Team(**{k: v for k, v in fields.items() if k in TEAM_FIELDS})
    save_validated(team)
    return team


@transaction.atomic
def update_team(team: Team, *, by: User, data: dict) -> Team:
    """Rename a team or change its manager."""
    team = Team.objects.select_for_update().get(pk=team.pk)
    changes = apply_changes(team, data, fields=TEAM_FIELDS)
    if changes:
        team.full_clean()
        team.save(update_fields=list(changes))
    return team


@transaction.atomic
def delete_team(team: Team, *, by: User) -> None:
    """Delete a team; its members stay, without a team.

    Raises:
        Conflict: assignment rules still send leads to the team.
    """
    try:
        Team.objects.filter(pk=team.pk).delete()
    except ProtectedError as exc:
        raise Conflict("Assignment rules still send leads to this team; change them first.") from exc


@transaction.atomic
def reset_two_factor(user: User, *, by: User, request=None) -> User:
    """Remove `user`'s authenticator app and recovery codes (a lost phone): their next sign-in asks for the password
    only, and they can set two-factor sign-in up again.

    Raises:
        PermissionDenied: `by` is not an admin.
    """
    if not by.is_admin:
        raise PermissionDenied("Only an admin can reset another user's two-factor sign-in.")
    user = User.objects.select_for_update().get(pk=user.pk)
    delete_devices(user)
    record_security_event(SecurityEvent.Kind.TWO_FACTOR_RESET, request=request, user=user, detail=f"by {by.username}")
    return user
