"""Writes for the forecast: an owner's forecast category, quotas (one at a time or a CSV), weekly snapshots.

Who may do what: the owner of an open deal (and the managers of their team, and admins) overrides its forecast
category with a note; managers set quotas for the reps of the teams they manage (and themselves), admins for
everyone. Snapshots are taken by the weekly beat task, one row per week, user and period: a second run in the same
week changes nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from activities.services import record_event
from core.exceptions import PermissionDenied
from core.models import managed_owner_ids
from core.services import save_validated
from opportunities.models import ForecastCategory, ForecastSnapshot, Opportunity, PeriodKind, Quota
from opportunities.selectors import (
    FORECAST_FIGURES,
    PERIODS,
    get_forecast_figures,
    get_period,
    get_quotas,
    period_start,
)
from users.models import User

FORECAST_FIELDS = ("forecast_category", "forecast_note")
# An owner picks among these for an open deal; "closed" comes only from a won stage.
OPEN_CATEGORIES = [c for c in ForecastCategory.values if c != ForecastCategory.CLOSED]
QUOTA_COLUMNS = ("user", "period", "period_start", "amount")
MAX_QUOTA_ROWS = 5_000
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection): refused, not stored.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@transaction.atomic
def set_forecast_category(opportunity: Opportunity, *, category: str, note: str, by: User) -> Opportunity:
    """Put an open deal in forecast `category` with `note`; the stage's own category clears the override.

    Raises:
        PermissionDenied: `by` neither owns the deal nor manages or administers it.
        ValidationError: on `forecast_category` (a closed deal, or "closed" for an open one) or `forecast_note`
            (missing for an override).
    """
    opportunity = Opportunity.objects.select_for_update(of=("self",)).select_related("stage").get(pk=opportunity.pk)
    note = (note or "").strip()
    if category == opportunity.forecast_category and note == opportunity.forecast_note:
        return opportunity
    if not (by.can_manage or opportunity.owner_id == by.pk):
        raise PermissionDenied("Only the deal's owner or their manager may change its forecast category.")
    stage = opportunity.stage
    if stage.is_closed and category != opportunity.forecast_category:
        raise ValidationError({"forecast_category": ["A closed deal's forecast category follows its stage."]})
    if not stage.is_closed and category not in OPEN_CATEGORIES:
        raise ValidationError(
            {"forecast_category": [f"Pick one of {', '.join(OPEN_CATEGORIES)}: closed comes from a won stage."]}
        )
    previous = opportunity.get_forecast_category_display()
    opportunity.forecast_category = category
    opportunity.forecast_note = note[:500]
    opportunity.forecast_overridden = not stage.is_closed and category != stage.forecast_category
    save_validated(opportunity, update_fields=["forecast_category", "forecast_note", "forecast_overridden"])
    record_event(
        "forecast_changed",
        f"Forecast category {previous} → {opportunity.get_forecast_category_display()}" + (f": {note}" if note else ""),
        by=by,
        opportunity=opportunity,
        data={"to": category, "note": note[:500]},
    )
    return opportunity


def quota_users(by: User):
    """Users whose quotas `by` may set: everyone active for admins, a manager's teams and themselves, none else."""
    users = User.objects.filter(is_active=True)
    if by.is_admin:
        return users
    if by.is_manager:
        return users.filter(pk__in=managed_owner_ids(by))
    return users.none()


def _check_period(kind: str, start: date) -> None:
    if kind not in PeriodKind.values:
        raise ValidationError({"period": [f"Give one of {', '.join(PeriodKind.values)}."]})
    if start != period_start(kind, start):
        raise ValidationError(
            {"period_start": [f"Give the first day of the {kind} (e.g. {period_start(kind, start)})."]}
        )


@transaction.atomic
def set_quota(*, by: User, user: User, period: str, period_start: date, amount: Decimal) -> Quota:
    """Set `user`'s quota for the month or quarter starting on `period_start` (creating or replacing it).

    Raises:
        PermissionDenied: `by` may not set quotas for `user`.
        ValidationError: a bad period, start day or amount.
    """
    if not quota_users(by).filter(pk=user.pk).exists():
        raise PermissionDenied("You may set quotas only for the reps of the teams you manage.", field="user")
    _check_period(period, period_start)
    quota = Quota.objects.select_for_update().filter(user=user, period=period, period_start=period_start).first()
    if quota is None:
        quota = Quota(user=user, period=period, period_start=period_start, amount=amount)
        save_validated(quota)
    elif quota.amount != amount:
        quota.amount = amount
        save_validated(quota, update_fields=["amount"])
    return quota


@transaction.atomic
def update_quota(quota: Quota, *, by: User, data: dict) -> Quota:
    """Change a quota's amount, or move it to another user or period (replacing the quota there).

    Raises:
        PermissionDenied: `by` may not set quotas for the quota's user or the new one.
    """
    updated = set_quota(
        by=by,
        user=data.get("user", quota.user),
        period=data.get("period", quota.period),
        period_start=data.get("period_start", quota.period_start),
        amount=data.get("amount", quota.amount),
    )
    if updated.pk != quota.pk:
        delete_quota(quota, by=by)
    return updated


@transaction.atomic
def delete_quota(quota: Quota, *, by: User) -> None:
    """Remove a quota.

    Raises:
        PermissionDenied: `by` may not set quotas for its user.
    """
    if not quota_users(by).filter(pk=quota.user_id).exists():
        raise PermissionDenied("You may remove quotas only of the reps of the teams you manage.")
    Quota.objects.filter(pk=quota.pk).delete()


@dataclass(frozen=True)
class QuotaRow:
    user: User
    period: str
    period_start: date
    amount: Decimal


def _row_error(line: int, column: str, message: str) -> ValidationError:
    return ValidationError({"file": [f"Row {line}, column {column}: {message}"]})


def parse_quotas_csv(text: str, *, by: User) -> list[QuotaRow]:
    """Read a quota CSV (columns user, period, period_start, amount) into rows `by` may write.

    Raises:
        ValidationError: on `file`, naming the first bad row and column.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [name for name in QUOTA_COLUMNS if name not in (reader.fieldnames or [])]
    if missing:
        raise ValidationError(
            {"file": [f"The header row lacks {', '.join(missing)}: give {', '.join(QUOTA_COLUMNS)}."]}
        )
    allowed = quota_users(by)
    rows: list[QuotaRow] = []
    seen: dict[tuple[int, str, date], int] = {}
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_QUOTA_ROWS:
            raise ValidationError({"file": [f"At most {MAX_QUOTA_ROWS} rows per file."]})
        cells = {name: (raw.get(name) or "").strip() for name in QUOTA_COLUMNS}
        for name, value in cells.items():
            if value.startswith(FORMULA_PREFIXES):
                raise _row_error(line, name, "a cell may not start with =, +, -, @ (a spreadsheet formula).")
            if not value:
                raise _row_error(line, name, "empty.")
        user = allowed.filter(Q(username=cells["user"]) | Q(email__iexact=cells["user"])).first()
        if user is None:
            raise _row_error(line, "user", f"no user {cells['user']!r} whose quotas you may set.")
        if cells["period"] not in PeriodKind.values:
            raise _row_error(line, "period", f"give one of {', '.join(PeriodKind.values)}.")
        try:
            start = date.fromisoformat(cells["period_start"])
        except ValueError:
            raise _row_error(line, "period_start", "give a date as YYYY-MM-DD.") from None
        if start != period_start(cells["period"], start):
            raise _row_error(line, "period_start", f"give the first day of the {cells['period']}.")
        try:
            amount = Decimal(cells["amount"].replace(",", ""))
        except InvalidOperation:
            raise _row_error(line, "amount", "give a number such as 25000 or 25000.00.") from None
        if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= 10**12:
            raise _row_error(line, "amount", "give a non-negative amount with at most two decimals.")
        key = (user.pk, cells["period"], start)
        if key in seen:
            raise _row_error(line, "user", f"the same user and period as row {seen[key]}.")
        seen[key] = line
        rows.append(QuotaRow(user, cells["period"], start, amount))
    if not rows:
        raise ValidationError({"file": ["The file has no quota rows."]})
    return rows


@transaction.atomic
def import_quotas_csv(text: str, *, by: User) -> int:
    """Set every quota of a CSV, all or nothing; return how many rows were written.

    Raises:
        ValidationError: on `file`, naming the first bad row and column; nothing is written then.
    """
    rows = parse_quotas_csv(text, by=by)
    for row in rows:
        set_quota(by=by, user=row.user, period=row.period, period_start=row.period_start, amount=row.amount)
    return len(rows)


def snapshot_week(day: date) -> date:
    """Return the Monday of `day`'s week: the key of the snapshots taken that week."""
    return day - timedelta(days=day.weekday())


@transaction.atomic
def take_forecast_snapshots(now: datetime) -> int:
    """Record every user's forecast figures for this and next month and quarter as of `now`'s week.

    Once per week, user and period: a second run in the same week keeps the first rows. Returns rows written.
    """
    today = now.date()
    week = snapshot_week(today)
    active = set(User.objects.filter(is_active=True).values_list("pk", flat=True))
    snapshots = []
    for key, _label in PERIODS:
        period = get_period(key, today=today)
        figures = get_forecast_figures(period, owner_ids=None)
        quotas = get_quotas(period, user_ids=None)
        for user_id in (set(figures) | set(quotas)) & active:
            values = figures.get(user_id) or dict.fromkeys(FORECAST_FIGURES, Decimal(0))
            snapshots.append(
                ForecastSnapshot(
                    user_id=user_id,
                    period=period.kind,
                    period_start=period.start,
                    week=week,
                    taken_at=now,
                    quota=quotas.get(user_id),
                    **values,
                )
            )
    # One row per week, user and period (a unique constraint): a repeat, even a concurrent one, adds nothing.
    existing = set(ForecastSnapshot.objects.filter(week=week).values_list("user_id", "period", "period_start"))
    fresh = [s for s in snapshots if (s.user_id, s.period, s.period_start) not in existing]
    ForecastSnapshot.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
    return len(fresh)
