"""Reads on opportunities: the pipeline board."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, ExpressionWrapper, F, Sum, Value, Window
from django.db.models.functions import Coalesce, RowNumber

from opportunities.models import Opportunity, Stage

CARDS_PER_COLUMN = 50


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
