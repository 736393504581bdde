"""Logins, their role in the sales org, and the teams managers lead."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

# A rep's skills (languages, products, industries) that routing rules match.
MAX_SKILLS = 50
MAX_SKILL_LENGTH = 50


def default_time_zone() -> str:
    """The installation's zone (settings.TIME_ZONE), until the user picks theirs."""
    return settings.TIME_ZONE


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"{value!r} is not a known time zone (e.g. Europe/Berlin).") from None


class UserQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> UserQuerySet:
        """Admins see everyone; managers themselves and their teams; reps themselves and teammates."""
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        condition = Q(pk=user.pk)
        if user.role == User.Role.MANAGER:
            condition |= Q(team__manager=user)
        if user.team_id:
            condition |= Q(team_id=user.team_id) | Q(managed_teams=user.team_id)
        return self.filter(condition).distinct()

    def active_reps(self) -> UserQuerySet:
        return self.filter(is_active=True, role=User.Role.REP)


class FunnelUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    class Role(models.TextChoices):
        REP = "rep", "Sales rep"
        MANAGER = "manager", "Sales manager"
        ADMIN = "admin", "Admin"

    class Function(models.TextChoices):
        SDR = "sdr", "Sales development rep (SDR)"
        AE = "ae", "Account executive (AE)"
        MANAGER = "manager", "Sales manager"

    class Level(models.TextChoices):
        JUNIOR = "junior", "Junior"
        MID = "mid", "Mid"
        SENIOR = "senior", "Senior"

    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.REP, db_index=True)
    team = models.ForeignKey("users.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    accepts_leads = models.BooleanField(default=True, help_text="Off: assignment skips this user (e.g. on leave).")
    lead_capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="Maximum open leads; empty means no limit."
    )
    function = models.CharField(
        max_length=10,
        choices=Function.choices,
        blank=True,
        help_text="Sales function: SDRs work leads, AEs own the deals converted leads hand over.",
    )
    level = models.CharField(
        max_length=10, choices=Level.choices, default=Level.MID, help_text="Experience, for routing rules."
    )
    skills = models.JSONField(
        default=list, blank=True, help_text='Languages, products, industries, e.g. ["de", "fintech"], for routing.'
    )
    routing_shares = models.PositiveSmallIntegerField(
        default=1, help_text="Weighted round-robin: a rep with 2 shares takes twice the leads of one with 1."
    )
    time_zone = models.CharField(
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text="IANA time zone, e.g. Europe/Berlin: the weekly digest arrives on Monday morning there.",
    )
    weekly_digest = models.BooleanField(
        default=True, help_text="Managers: receive the weekly digest email (funnel, SLA, forecast, activity)."
    )

    objects = FunnelUserManager()

    class Meta:
        ordering = ["username", "id"]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        skills = self.skills
        if (
            not isinstance(skills, list)
            or len(skills) > MAX_SKILLS
            or not all(isinstance(skill, str) and 0 < len(skill.strip()) <= MAX_SKILL_LENGTH for skill in skills)
        ):
            raise ValidationError(
                {
                    "skills": f"A list of up to {MAX_SKILLS} skills, each a word or short phrase of at most "
                    f'{MAX_SKILL_LENGTH} characters, e.g. ["de", "fintech"].'
                }
            )
        self.skills = [skill.strip() for skill in skills]

    @property
    def display_name(self) -> str:
        return self.name or self.get_full_name() or self.username

    @property
    def initials(self) -> str:
        """Up to two letters for tight spots (the pipeline cards): "Ada Lovelace" → "AL", "walker" → "WA"."""
        words = self.display_name.split() or [self.username or "?"]
        if len(words) == 1:
            return words[0][:2].upper()
        return (words[0][0] + words[-1][0]).upper()

    @property
    def is_admin(self) -> bool:
        return self.role == self.Role.ADMIN or self.is_superuser

    @property
    def is_manager(self) -> bool:
        return self.role == self.Role.MANAGER

    @property
    def can_manage(self) -> bool:
        """Managers and admins: may set owners and tune scoring, assignment and nurture."""
        return self.is_admin or self.is_manager


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> TeamQuerySet:
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_admin:
            return self
        return self.filter(Q(manager=user) | Q(pk=user.team_id)).distinct()


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    manager = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.PROTECT, related_name="managed_teams"
    )

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> ApiTokenQuerySet:
        if not user or not user.is_authenticated:
            return self.none()
        return self if user.is_admin else self.filter(user=user)

    def active(self) -> ApiTokenQuerySet:
        """Not revoked, of an active user (expired ones are told apart at sign-in, to say so)."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A revocable API token; only its SHA-256 digest is stored, one per integration.

    Its `scope` bounds what it may do whatever its user may: `read` answers every unsafe method with 403,
    `write` acts as its user, `admin` (admins only) also reaches admin-only endpoints.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"
        ADMIN = "admin", "Administration"

    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="Which integration uses this token.")
    prefix = models.CharField(max_length=8, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    scope = models.CharField(
        max_length=5,
        choices=Scope.choices,
        default=Scope.WRITE,
        help_text="read: GET only; write: acts as its user; admin: also admin-only endpoints (admins only).",
    )
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: the token does not expire.")
    rate_limit = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Requests per minute; empty: the installation's default (FUNNEL_TOKEN_RATE).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    @staticmethod
    def generate() -> str:
        return secrets.token_urlsafe(32)

    def clean(self) -> None:
        super().clean()
        if self.scope == self.Scope.ADMIN and self.user_id is not None and not self.user.is_admin:
            raise ValidationError({"scope": "Only an admin can hold an admin-scope token."})

    def is_expired(self, now=None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    @property
    def can_write(self) -> bool:
        return self.scope != self.Scope.READ


class SecurityEventQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> SecurityEventQuerySet:
        if not user or not user.is_authenticated or not user.is_active:
            return self.none()
        return self if user.is_admin else self.filter(user=user)


class SecurityEvent(models.Model):
    """An audit row for a security-relevant event: sign-ins, tokens, refused actions."""

    class Kind(models.TextChoices):
        LOGIN_SUCCEEDED = "login_succeeded", "Sign-in succeeded"
        LOGIN_FAILED = "login_failed", "Sign-in failed"
        LOGGED_OUT = "logged_out", "Signed out"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        PERMISSION_DENIED = "permission_denied", "Permission denied"
        USER_DEACTIVATED = "user_deactivated", "User deactivated"
        TWO_FACTOR_ENABLED = "two_factor_enabled", "Two-factor sign-in turned on"
        TWO_FACTOR_DISABLED = "two_factor_disabled", "Two-factor sign-in turned off"
        TWO_FACTOR_RESET = "two_factor_reset", "Two-factor sign-in reset by an admin"
        RECOVERY_CODES_REPLACED = "recovery_codes_replaced", "Recovery codes replaced"

    kind = models.CharField(max_length=30, choices=Kind.choices, db_index=True)
    user = models.ForeignKey("users.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    username = models.CharField(max_length=150, blank=True, help_text="As typed, for failed sign-ins.")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=255, blank=True)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.username or self.user_id}"
