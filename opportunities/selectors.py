"""Reads on opportunities: the pipeline board, forecast periods and figures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Q, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber

from opportunities.models import ForecastCategory, Opportunity, PeriodKind, Quota, Stage

CARDS_PER_COLUMN = 50
CENT = Decimal("0.01")


@dataclass
class BoardColumn:
    stage: Stage
    cards: list = field(default_factory=list)
    count: int = 0
    amount: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)

    @property
    def hidden(self) -> int:
        return max(self.count - len(self.cards), 0)


def get_board(user, *, owner_id: int | None = None, close_month: tuple[int, int] | None = None) -> list[BoardColumn]:
    """Return the open stages as columns of `user`'s visible open deals with count, amount and weighted amount."""
    deals = Opportunity.objects.visible_to(user).filter(stage__is_closed=False)
    if owner_id:
        deals = deals.filter(owner_id=owner_id)
    if close_month:
        deals = deals.filter(close_date__year=close_month[0], close_date__month=close_month[1])
    columns = {stage.pk: BoardColumn(stage=stage) for stage in Stage.objects.open().order_by("order", "id")}
    money = DecimalField(max_digits=20, decimal_places=2)
    totals = (
        deals.order_by()
        .values("stage_id")
        .annotate(
            n=Count("id"),
            total_amount=Coalesce(Sum("amount"), Value(Decimal(0)), output_field=money),
            total_weighted=Coalesce(
                Sum(ExpressionWrapper(F("amount") * F("probability") / Value(Decimal(100)), output_field=money)),
                Value(Decimal(0)),
                output_field=money,
            ),
        )
    )
    for row in totals:
        column = columns.get(row["stage_id"])
        if column is not None:
            column.count, column.amount, column.weighted = row["n"], row["total_amount"], row["total_weighted"]
    # The first cards of every column in one query: rank deals within their stage, keep the top ones.
    cards = (
        deals.select_related("account", "owner")
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("stage_id")],
                order_by=[F("close_date").asc(nulls_last=True), F("id").asc()],
            )
        )
        .filter(rank__lte=CARDS_PER_COLUMN)
        .order_by("stage_id", "rank")
    )
    for card in cards:
        column = columns.get(card.stage_id)
        if column is not None:
            column.cards.append(card)
    return list(columns.values())


# --- forecast ----------------------------------------------------------------------------------------------------

PERIODS = [
    ("this_month", "This month"),
    ("next_month", "Next month"),
    ("this_quarter", "This quarter"),
    ("next_quarter", "Next quarter"),
]
# The money figures of a forecast row, as stored in a snapshot.
FORECAST_FIGURES = ("closed_won", "commit", "best_case", "pipeline", "weighted")


@dataclass(frozen=True)
class Period:
    """A month or a quarter: `kind` ∈ PeriodKind, inclusive `start` and `end` days."""

    key: str
    kind: str
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == PeriodKind.MONTH:
            return self.start.strftime("%B %Y")
        return f"Q{(self.start.month - 1) // 3 + 1} {self.start.year}"


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_start(kind: str, day: date) -> date:
    """Return the first day of the month or quarter holding `day`."""
    if kind == PeriodKind.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day.replace(day=1)


def get_period(key: str, *, today: date) -> Period:
    """Return the named period (`this_month`, `next_month`, `this_quarter`, `next_quarter`) around `today`.

    Raises:
        KeyError: an unknown name.
    """
    kind, ahead = {
        "this_month": (PeriodKind.MONTH, 0),
        "next_month": (PeriodKind.MONTH, 1),
        "this_quarter": (PeriodKind.QUARTER, 0),
        "next_quarter": (PeriodKind.QUARTER, 1),
    }[key]
    months = 3 if kind == PeriodKind.QUARTER else 1
    start = _add_months(period_start(kind, today), ahead * months)
    return Period(key, kind, start, _add_months(start, months) - timedelta(days=1))


def get_forecast_figures(period: Period, *, owner_ids: list[int] | None) -> dict[int, dict[str, Decimal]]:
    """Return {owner id: figures} of the deals closing in `period` (by close date), of `owner_ids` (None: all).

    closed_won: won deals; commit, best_case, pipeline: open deals of that category (each alone, not cumulative);
    weighted: amount x probability of the open deals not omitted from the forecast. Owners without deals are absent.
    """
    stages = list(Stage.objects.values_list("pk", "is_closed", "is_won"))
    won = [pk for pk, _closed, is_won in stages if is_won]
    open_ = [pk for pk, closed, _won in stages if not closed]
    deals = Opportunity.objects.filter(close_date__gte=period.start, close_date__lte=period.end, owner__isnull=False)
    if owner_ids is not None:
        deals = deals.filter(owner_id__in=owner_ids)
    money = DecimalField(max_digits=20, decimal_places=2)
    is_open = Q(stage_id__in=open_)
    sums = {
        "closed_won": Sum("amount", filter=Q(stage_id__in=won)),
        "commit": Sum("amount", filter=is_open & Q(forecast_category=ForecastCategory.COMMIT)),
        "best_case": Sum("amount", filter=is_open & Q(forecast_category=ForecastCategory.BEST_CASE)),
        "pipeline": Sum("amount", filter=is_open & Q(forecast_category=ForecastCategory.PIPELINE)),
        "weighted": Sum(
            ExpressionWrapper(F("amount") * F("probability"), output_field=money),
            filter=is_open & ~Q(forecast_category=ForecastCategory.OMITTED),
        ),
    }
    result: dict[int, dict[str, Decimal]] = {}
    for row in deals.order_by().values("owner_id").annotate(**sums):
        figures = {name: Decimal(row[name] or 0) for name in FORECAST_FIGURES}
        figures["weighted"] = figures["weighted"] / 100
        result[row["owner_id"]] = {name: value.quantize(CENT, ROUND_HALF_UP) for name, value in figures.items()}
    return result


def get_quotas(period: Period, *, user_ids: list[int] | None) -> dict[int, Decimal]:
    """Return {user id: quota amount} for `period` (None: every user's)."""
    quotas = Quota.objects.filter(period=period.kind, period_start=period.start)
    if user_ids is not None:
        quotas = quotas.filter(user_id__in=user_ids)
    return dict(quotas.values_list("user_id", "amount"))
