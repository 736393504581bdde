"""Empty the business tables and remove the demo users and teams before a fresh seeding (`--reset`)."""

from __future__ import annotations

import contextlib

from django.db import connection, models, transaction
from django.db.models import ForeignObjectRel, ProtectedError, RestrictedError

from accounts.models import Account
from activities.models import Activity, Event
from contacts.models import AccountContactRelation, Contact
from demo.seeding.users import DEMO_TEAMS, DEMO_USERNAMES
from leads.models import Lead, LeadStatusChange
from opportunities.models import Opportunity, OpportunityContactRole, OpportunityStageChange
from users.models import Team, User

# children before parents: the order in which --reset empties the business tables
RESET_ORDER = [
    Activity,
    Event,
    LeadStatusChange,
    Lead,
    OpportunityContactRole,
    OpportunityStageChange,
    Opportunity,
    AccountContactRelation,
    Contact,
    Account,
]


@transaction.atomic
def reset_demo_data() -> int:
    """Delete all business records and the demo users and teams; return how many rows went."""
    wiped = set(RESET_ORDER)
    deleted = sum(_clear_dependents(model, wiped) for model in RESET_ORDER)
    qn = connection.ops.quote_name
    tables = _truncatable_tables(wiped)
    with connection.cursor() as cursor:
        if tables:
            # TRUNCATE skips the per-row foreign-key checks that make DELETE of a million leads take minutes
            for table in tables:
                cursor.execute(f"SELECT COUNT(*) FROM {qn(table)}")  # noqa: S608 - table names from model metadata, quoted  # nosec B608
                deleted += cursor.fetchone()[0]
            # run the deferred foreign-key checks of this transaction first: TRUNCATE refuses pending ones
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(qn(table) for table in tables)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for model in RESET_ORDER:
                cursor.execute(f"DELETE FROM {qn(model._meta.db_table)}")  # noqa: S608 - table names from model metadata, quoted  # nosec B608
                deleted += max(cursor.rowcount, 0)
    Team.objects.filter(name__in=DEMO_TEAMS).delete()
    for username in DEMO_USERNAMES:
        # a user still referenced outside the demo tables stays; the seeding overwrites it in place
        with contextlib.suppress(ProtectedError, RestrictedError):
            deleted += User.objects.filter(username=username).delete()[0]
    return deleted


def _truncatable_tables(wiped: set[type[models.Model]]) -> list[str] | None:
    """Tables to TRUNCATE together on PostgreSQL: the wiped ones plus every (empty) table referencing them.

    None when not on PostgreSQL or when a referencing table outside the demo set still holds rows.
    """
    if connection.vendor != "postgresql":
        return None
    found = set(wiped)
    pending = list(wiped)
    while pending:
        for relation in pending.pop()._meta.get_fields(include_hidden=True):
            related = relation.related_model if isinstance(relation, ForeignObjectRel) else None
            if related is None or related in found:
                continue
            if related._base_manager.exists():
                return None
            found.add(related)
            pending.append(related)
    return sorted(model._meta.db_table for model in found)


def _clear_dependents(model: type[models.Model], wiped: set[type[models.Model]]) -> int:
    """Remove or detach rows of other apps' models that point at `model` (e.g. nurture enrollments)."""
    cleared = 0
    for relation in model._meta.get_fields(include_hidden=True):
        if not isinstance(relation, ForeignObjectRel) or relation.many_to_many:
            continue
        related = relation.related_model
        if related in wiped:
            continue
        field = relation.field
        referencing = related._base_manager.filter(**{f"{field.name}__isnull": False})
        if field.remote_field.on_delete is models.SET_NULL or (
            field.null and field.remote_field.on_delete is not models.CASCADE
        ):
            cleared += referencing.update(**{field.name: None})
        else:
            cleared += referencing.delete()[0]
    return cleared
