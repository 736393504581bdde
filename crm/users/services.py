"""Writes on users, teams and API tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from crm.users.audit import record_security_event
from crm.users.models import ApiToken, SecurityEvent, User


@transaction.atomic
def create_api_token(*, user: User, name: str, request=None) -> tuple[ApiToken, str]:
    """Create a token for one integration of `user`; return it with the raw key, shown only once."""
    raw = ApiToken.generate()
    token = ApiToken(user=user, name=name, prefix=raw[:8], digest=ApiToken.digest_of(raw))
    token.full_clean()
    token.save()
    record_security_event(
        SecurityEvent.Kind.TOKEN_CREATED, request=request, user=user, detail=f"{name} ({token.prefix}…)"
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
