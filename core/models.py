"""Abstract base models and the one visibility rule shared by every app."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser as User
from django.db import models
from django.db.models import Q


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def managed_owner_ids(user: User) -> list[int]:
    """The manager and the members of the teams they manage, read once per user object (i.e. per request).

    A list rather than a subquery: PostgreSQL tests a row against a list far faster than against a subquery, which
    weighs on every report that counts a manager's hundreds of thousands of leads. Cached on the user object the
    way Django caches permissions (`_perm_cache`); a request sees the teams as they were when it began.
    """
    if not hasattr(user, "_managed_owner_ids"):
        members = get_user_model().objects.filter(team__manager=user).values_list("pk", flat=True)
        user._managed_owner_ids = [user.pk, *members]
    return user._managed_owner_ids


def owner_visibility(user: User, *, field: str = "owner", include_unassigned: bool = True) -> Q | None:
    """Return the filter for records `user` may see by their `field` owner, or None for "all".

    A rep sees what they own; a manager sees their own records, those owned by
    members of the teams they manage and unassigned ones; an admin sees all.
    """
    if not user or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_admin:
        return None
    if user.is_manager:  # roles live on users.User (AUTH_USER_MODEL)
        condition = Q(**{f"{field}__in": managed_owner_ids(user)})
        if include_unassigned:
            condition |= Q(**{f"{field}__isnull": True})
        return condition
    return Q(**{field: user})


class VisibleByOwnerQuerySet(models.QuerySet):
    """Rows `user` may see by the owner rule of `owner_visibility()`, applied to `visibility_field`.

    A subclass names the user the rule looks at: `visibility_field = "lead__owner"` for rows that belong to a
    lead, `"created_by"` with `include_unassigned = False` for rows whose author stands in for an owner.
    """

    visibility_field = "owner"
    include_unassigned = True

    def visible_to(self, user: User) -> VisibleByOwnerQuerySet:
        condition = owner_visibility(user, field=self.visibility_field, include_unassigned=self.include_unassigned)
        return self if condition is None else self.filter(condition)


class OwnedQuerySet(VisibleByOwnerQuerySet):
    """QuerySet of records with an `owner` of their own: the rep / manager / admin rule as it stands."""


class OwnedModel(TimeStampedModel):
    owner = models.ForeignKey(
        "users.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=True
    )

    objects = OwnedQuerySet.as_manager()

    class Meta:
        abstract = True


class IdempotencyKey(models.Model):
    """The first response to a POST carrying `Idempotency-Key`, replayed for repeats within 24 hours.

    The row is claimed (inserted) before the work starts, so a concurrent duplicate
    hits the unique constraint instead of doing the work twice.
    """

    user = models.ForeignKey("users.User", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64, help_text="Digest of method, path and body of the first request.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty while in progress.")
    # Text, not JSONB: a replay must repeat the first body byte for byte, key order included.
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]
        db_table = "common_idempotencykey"  # the table's name from the app's earlier label

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class Suppression(models.Model):
    """A person who asked to be erased, kept as a peppered hash of their address so the list names no one.

    Capture, import, the APIs and email refuse an address whose hash is here (`core.suppression`).
    """

    digest = models.CharField(max_length=64, unique=True, help_text="sha256 of pepper + normalised email.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"suppression {self.digest[:12]}…"


class Lease(models.Model):
    """The claim a worker holds on one long job while it runs it (`core.leases`); one row per job, of every kind.

    `holder` names the worker run, `expires_at` is pushed forward by its heartbeat. When it lies in the past the worker
    stopped: the sweeper re-queues `task` with the job's id and the next worker takes the lease over.
    """

    kind = models.CharField(max_length=40, help_text="The job's kind, e.g. import or rescore.")
    job_id = models.BigIntegerField()
    task = models.CharField(max_length=200, help_text="The task the sweeper re-queues with the job's id.")
    queue = models.CharField(
        max_length=40,
        default="imports",
        help_text="The queue the job ran on when claimed; the sweeper re-queues by CELERY_TASK_ROUTES, not by this.",
    )
    holder = models.CharField(max_length=100, help_text="The worker run holding the lease.")
    expires_at = models.DateTimeField(db_index=True)
    requeued_at = models.DateTimeField(null=True, blank=True, help_text="When the sweeper last re-queued the job.")
    takeovers = models.PositiveIntegerField(default=0, help_text="How often another worker took the job over.")

    class Meta:
        ordering = ["expires_at", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "job_id"], name="core_lease_one_per_job")]

    def __str__(self) -> str:
        return f"{self.kind} {self.job_id} held by {self.holder} until {self.expires_at:%H:%M:%S}"
