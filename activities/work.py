"""Leads worked per rep, day and week: the rollup behind the activity report's "leads worked".

A rep works a lead on a day when they log an activity on it or change its status (the status a lead is created or
imported with is not work). Counting distinct leads per rep and period from the timeline costs a deduplication of
every (rep, period, lead) in the range on each request — a company's month is well over a hundred thousand — so
the services keep the answer instead, in the same transaction as the work:

- `log_activity`, `update_activity` and `delete_activity` (this app) and the status services (leads) call `add_work`
  with +1 or -1 activities or status changes for one rep, lead and moment;
- each call updates one `WorkedLeadDay` row and one `WorkedLeadWeek` row (an upsert adding to the counters; a row
  whose counters both reach zero is deleted), so a period's count is a count of rows;
- `rebuild_work` recounts both tables from the timeline in a few statements: after data was written around the
  services (the demo seeding, the benchmark), after changing settings.TIME_ZONE (periods are in that zone), or to
  check the rollup (`manage.py rebuild_rollups`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, F, IntegerField, QuerySet, Sum, Value
from django.db.models.functions import TruncDate, TruncWeek
from django.utils import timezone

from activities.models import Activity, WorkedLeadDay, WorkedLeadWeek

# (model, its period column): the day table first, the week table is summed from it on a rebuild.
TABLES = ((WorkedLeadDay, "day"), (WorkedLeadWeek, "week"))
UPSERT_SQL = """
INSERT INTO {table} (rep_id, {period}, lead_id, activities, status_changes) VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (rep_id, {period}, lead_id) DO UPDATE
   SET activities = {table}.activities + excluded.activities,
       status_changes = {table}.status_changes + excluded.status_changes
"""


def period_starts(at: datetime) -> tuple:
    """The day and the week (its Monday) `at` falls in, in the installation's zone."""
    day = timezone.localtime(at).date()
    return day, day - timedelta(days=day.weekday())


def _upsert_sql(model, period: str) -> str:
    # Table and column names come from the models; every value travels as a parameter.
    return UPSERT_SQL.format(table=connection.ops.quote_name(model._meta.db_table), period=period)  # nosec B608


@transaction.atomic(savepoint=False)
def add_work(rep_id: int | None, lead_id: int | None, at: datetime, *, activities: int = 0, status_changes: int = 0):
    """Count (or, with negative numbers, uncount) work of `rep_id` on `lead_id` at `at` in both tables."""
    if rep_id is None or lead_id is None:
        return
    starts = period_starts(at)
    params = [[rep_id, start, lead_id, activities, status_changes] for start in starts]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and activities >= 0 and status_changes >= 0:
            # Both upserts in one statement (the day's as a data-modifying CTE): one round trip per piece of work.
            day, week = (_upsert_sql(model, period) for model, period in TABLES)
            cursor.execute(f"WITH day_upsert AS ({day} RETURNING 1) {week}", [*params[0], *params[1]])  # nosec B608
            return
        for (model, period), start, values in zip(TABLES, starts, params, strict=True):
            cursor.execute(_upsert_sql(model, period), values)
            if activities < 0 or status_changes < 0:
                model.objects.filter(
                    rep_id=rep_id, lead_id=lead_id, activities__lte=0, status_changes__lte=0, **{period: start}
                ).delete()


def _rows(queryset: QuerySet, *, rep: str, at: str, activities: int, status_changes: int) -> QuerySet:
    """One row per (rep, day, lead) of `queryset` with how much of each kind of work it holds."""
    return (
        queryset.filter(**{f"{rep}__isnull": False, "lead__isnull": False})
        .annotate(r=F(rep), d=TruncDate(at))
        .values("r", "d", "lead_id")
        .annotate(
            a=Count("pk") * Value(activities, output_field=IntegerField()),
            s=Count("pk") * Value(status_changes, output_field=IntegerField()),
        )
        .values_list("r", "d", "lead_id", "a", "s")
        .order_by()
    )


@transaction.atomic
def rebuild_work(status_changes: QuerySet, *, activities: QuerySet | None = None, models=None) -> int:
    """Recount both tables from every activity and `status_changes` (the leads app's status changes that count as
    work, with `changed_by`, `changed_at` and `lead`); return the day rows written.

    `activities` and `models` (the day and week models) default to this app's; a migration passes its own.
    Writers wait meanwhile (PostgreSQL: the tables are locked), so no work logged during a rebuild is lost.
    """
    day_model, week_model = models or (WorkedLeadDay, WorkedLeadWeek)
    activities = Activity.objects.all() if activities is None else activities
    day_table, week_table = (connection.ops.quote_name(model._meta.db_table) for model in (day_model, week_model))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {day_table}, {week_table} IN EXCLUSIVE MODE")
        week_model.objects.all().delete()
        day_model.objects.all().delete()
        logged = _rows(activities, rep="owner_id", at="created_at", activities=1, status_changes=0)
        changed = _rows(status_changes, rep="changed_by_id", at="changed_at", activities=0, status_changes=1)
        union_sql, params = logged.union(changed, all=True).query.sql_with_params()
        # The inner SQL is the ORM's own compiled queries; every value travels in `params`.
        cursor.execute(
            f"INSERT INTO {day_table} (rep_id, day, lead_id, activities, status_changes) "  # noqa: S608  # nosec B608
            f"SELECT r, d, lead_id, SUM(a), SUM(s) FROM ({union_sql}) AS work GROUP BY r, d, lead_id",
            params,
        )
        days = cursor.rowcount
        weeks = (
            day_model.objects.annotate(w=TruncWeek("day"))
            .values("rep_id", "w", "lead_id")
            .annotate(a=Sum("activities"), s=Sum("status_changes"))
            .values_list("rep_id", "w", "lead_id", "a", "s")
            .order_by()
        )
        week_sql, params = weeks.query.sql_with_params()
        cursor.execute(
            f"INSERT INTO {week_table} (rep_id, week, lead_id, activities, status_changes) {week_sql}",  # nosec B608
            params,
        )
    return days


def forget_work(**activities) -> None:
    """Uncount the work of the activities matching `activities` (filters: `pk=`, `contact=` …) before they are
    deleted: by `delete_activity`, or by the cascade from a contact, account or opportunity they belong to."""
    for owner_id, lead_id, created_at in (
        Activity.objects.filter(**activities)
        .filter(lead__isnull=False, owner__isnull=False)
        .values_list("owner_id", "lead_id", "created_at")
    ):
        add_work(owner_id, lead_id, created_at, activities=-1)
