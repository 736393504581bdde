"""Forecast report: per team and rep, for one month or quarter, quota against what is closed and expected.

Counted: the deals whose close date falls in the period, owned by the reps the user sees — a rep their own, a
manager the members of the teams they manage and themselves, an admin everyone. Closed won is the won deals;
commit, best case and pipeline are the open deals in that forecast category (each alone, not cumulative); weighted
pipeline is amount x probability of the open deals not omitted. Attainment is closed won / quota; gap is quota -
closed won. The change since last week compares with the snapshot taken the Monday before this week's (kept by the
weekly beat task). A team row sums its members' rows. Slipped deals had their close date moved from inside the
period to after it (or cleared), and have not come back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from core.models import managed_owner_ids
from dashboards.filters import selectable_teams
from opportunities.forecasting import snapshot_week
from opportunities.models import ForecastSnapshot, Opportunity, OpportunityCloseDateChange
from opportunities.selectors import (
    FORECAST_FIGURES,
    PERIODS,
    Period,
    get_forecast_figures,
    get_period,
    get_quotas,
)
from users.models import Team, User

DEFAULT_PERIOD = "this_month"
SLIPPED_LIMIT = 100
ZERO = Decimal(0)


@dataclass(frozen=True)
class ForecastFilters:
    period: Period
    team: Team | None = None
    owner: User | None = None

    def query(self) -> dict[str, str]:
        params = {"period": self.period.key}
        if self.team is not None:
            params["team"] = str(self.team.pk)
        if self.owner is not None:
            params["owner"] = str(self.owner.pk)
        return params


class ForecastFilterError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _scope(user: User):
    """The users whose forecast `user` sees: everyone for admins, a manager's teams and themselves, a rep alone."""
    users = User.objects.all()
    if user.is_admin:
        return users
    if user.is_manager:
        return users.filter(pk__in=managed_owner_ids(user))
    return users.filter(pk=user.pk)


def _id(params, name: str) -> int | None:
    text = (params.get(name) or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise ForecastFilterError(name, f"{name}: give an id (a whole number).")
    return int(text)


def parse_forecast_filters(user: User, params, *, today: date | None = None) -> ForecastFilters:
    """Read `period` (this_month, next_month, this_quarter, next_quarter), `team` and `owner` (ids the user sees).

    Raises:
        ForecastFilterError: a bad value, named.
        Team.DoesNotExist, User.DoesNotExist: a team or owner the user may not see (a 404 to the caller).
    """
    key = (params.get("period") or DEFAULT_PERIOD).strip()
    try:
        period = get_period(key, today=today or timezone.localdate())
    except KeyError:
        raise ForecastFilterError("period", f"period: give one of {', '.join(k for k, _ in PERIODS)}.") from None
    team_id, owner_id = _id(params, "team"), _id(params, "owner")
    team = selectable_teams(user).get(pk=team_id) if team_id is not None else None
    owner = _scope(user).get(pk=owner_id) if owner_id is not None else None
    return ForecastFilters(period, team, owner)


def _row(values: dict[str, Decimal], quota: Decimal | None, last: dict[str, Decimal] | None) -> dict[str, Any]:
    row: dict[str, Any] = {name: values.get(name, ZERO) for name in FORECAST_FIGURES}
    row["quota"] = quota
    row["attainment"] = float(row["closed_won"] / quota) if quota else None
    row["gap"] = quota - row["closed_won"] if quota is not None else None
    row["change"] = {name: row[name] - last[name] for name in FORECAST_FIGURES} if last is not None else None
    return row


def _sum(rows: list[dict[str, Any]]) -> dict[str, Any]:
    values = {name: sum((r[name] for r in rows), ZERO) for name in FORECAST_FIGURES}
    quotas = [r["quota"] for r in rows if r["quota"] is not None]
    changes = [r["change"] for r in rows if r["change"] is not None]
    last = None
    if changes:
        # Members without last week's snapshot count as unchanged.
        last = {name: values[name] - sum((c[name] for c in changes), ZERO) for name in FORECAST_FIGURES}
    return _row(values, sum(quotas, ZERO) if quotas else None, last)


def _last_week(period: Period, user_ids: list[int] | None, today: date) -> dict[int, dict[str, Decimal]]:
    snapshots = ForecastSnapshot.objects.filter(
        week=snapshot_week(today) - timedelta(weeks=1), period=period.kind, period_start=period.start
    )
    if user_ids is not None:
        snapshots = snapshots.filter(user_id__in=user_ids)
    return {row["user_id"]: row for row in snapshots.values("user_id", *FORECAST_FIGURES)}


def get_forecast(user: User, filters: ForecastFilters, *, today: date | None = None) -> dict[str, Any]:
    """Return {"teams": [...], "reps": [...], "total": {...}, "slipped": [...]} for the forecast page and API."""
    today = today or timezone.localdate()
    period = filters.period
    users = _scope(user)
    if filters.team is not None:
        users = users.filter(team=filters.team)
    if filters.owner is not None:
        users = users.filter(pk=filters.owner.pk)
    whole = user.is_admin and filters.team is None and filters.owner is None
    people = {
        u.pk: u
        for u in users.select_related("team").only(
            "pk", "username", "name", "first_name", "last_name", "role", "is_active", "team__name"
        )
    }
    ids = None if whole else list(people)
    figures = get_forecast_figures(period, owner_ids=ids)
    quotas = get_quotas(period, user_ids=ids)
    last = _last_week(period, ids, today)
    reps = []
    for pk, person in sorted(people.items(), key=lambda item: (item[1].display_name.lower(), item[0])):
        shown = pk in figures or pk in quotas or (person.role == User.Role.REP and person.is_active)
        if not shown:
            continue
        row = _row(figures.get(pk, {}), quotas.get(pk), last.get(pk))
        row.update(user_id=pk, rep=person.display_name, team_id=person.team_id, team=getattr(person.team, "name", ""))
        reps.append(row)
    teams = []
    visible_teams = Team.objects.filter(pk=filters.team.pk) if filters.team else selectable_teams(user)
    if not user.is_admin and not user.is_manager:
        visible_teams = visible_teams.none()
    for team in visible_teams.order_by("name", "pk").only("pk", "name"):
        members = [r for r in reps if r["team_id"] == team.pk]
        if members or filters.team is not None:
            teams.append({**_sum(members), "team_id": team.pk, "team": team.name})
    return {
        "period": period,
        "teams": teams,
        "reps": reps,
        "total": _sum(reps),
        "slipped": list_slipped(user, filters, owner_ids=None if whole else list(people)),
    }


def list_slipped(user: User, filters: ForecastFilters, *, owner_ids: list[int] | None) -> list[dict[str, Any]]:
    """Return the deals (most recent first, at most SLIPPED_LIMIT) whose close date left the period for a later one."""
    period = filters.period
    later = Q(to_date__isnull=True) | Q(to_date__gt=period.end)
    still_out = Q(opportunity__close_date__isnull=True) | Q(opportunity__close_date__gt=period.end)
    changes = (
        OpportunityCloseDateChange.objects.visible_to(user)
        .filter(later, still_out, from_date__gte=period.start, from_date__lte=period.end)
        .select_related("opportunity__owner", "opportunity__stage", "changed_by")
        .order_by("-changed_at", "-id")
    )
    if owner_ids is not None:
        changes = changes.filter(opportunity__owner_id__in=owner_ids)
    slipped: dict[int, dict[str, Any]] = {}
    for change in changes[: SLIPPED_LIMIT * 2]:
        deal: Opportunity = change.opportunity
        if deal.pk in slipped or len(slipped) >= SLIPPED_LIMIT:
            continue
        slipped[deal.pk] = {
            "opportunity_id": deal.pk,
            "name": deal.name,
            "owner": deal.owner.display_name if deal.owner else "",
            "stage": deal.stage.name,
            "amount": deal.amount,
            "from_date": change.from_date,
            "to_date": change.to_date,
            "close_date": deal.close_date,
            "changed_at": change.changed_at,
            "changed_by": change.changed_by.display_name if change.changed_by else "",
        }
    return list(slipped.values())
