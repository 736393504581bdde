"""How report numbers are rounded and written: days to one place, rates to four, money to the cent as text."""

from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_days(value: timedelta | None, count: int = 1) -> float | None:
    if value is None or not count:
        return None
    return round(value.total_seconds() / 86400 / count, 1)


def to_rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def to_money(value: Decimal | None) -> str:
    return str((value or Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP))
