"""Which leads and deals a report counts: the cohort, the team/owner/source scope, and index-friendly owner groups."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from core.models import managed_owner_ids
from dashboards.filters import FunnelFilters, scope
from leads.models import Lead
from users.models import User


def get_cohort(user: User, filters: FunnelFilters) -> QuerySet[Lead]:
    """Return the cohort: visible leads created in the range, narrowed by team, owner and source."""
    qs = Lead.objects.visible_to(user).filter(created_at__gte=filters.start, created_at__lt=filters.end)
    return scope(qs, filters)


def owner_names(ids) -> dict[int, str]:
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return {}
    return {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in=ids).only("pk", "name", "first_name", "last_name", "username")
    }


def list_owner_groups(user: User, filters: FunnelFilters) -> list[Q]:
    """Split the owners whose leads the report may count into index-friendly groups: named owners, and unassigned.

    A manager's "mine, my teams' or nobody's" is one OR that PostgreSQL cannot read from an owner-first index;
    asked as "owner in (…)" and "owner is null" separately, each part reads only its owners' index entries.
    The caller still applies `visible_to`, so a group never widens what the user sees; an owner or team filter
    (applied by `scope`) already names the owners, so it needs no split.
    """
    if filters.owner is not None or filters.team is not None or user.is_admin:
        return [Q()]
    if user.role == User.Role.MANAGER:
        return [Q(owner__in=managed_owner_ids(user)), Q(owner__isnull=True)]
    return [Q(owner=user)]
