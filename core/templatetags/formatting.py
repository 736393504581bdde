"""Money and rates as people read them: localized by Django's l10n, in the installation's currency.

Load with `{% load formatting %}`; `{{ deal.amount|money }}` gives `$2,008,100`, `{{ deal.amount|money:2 }}` keeps
the cents, `{{ row.conversion_rate|percent }}` turns a 0-1 rate into `30.4%`. Grouping and decimal marks follow the
active language (`LANGUAGE_CODE`, or the request's language where a locale middleware picks one); the currency is
the `FUNNEL_CURRENCY` setting (one currency per installation). Pages only: CSV exports and the API keep raw,
machine-readable values (decimal strings, 0-1 rates) and name their units instead.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import number_format

register = template.Library()

EMPTY = "—"
# CLDR's English symbols for common currencies, written before the number; any other code follows it ("1,200 CHF").
CURRENCY_SYMBOLS = {
    "USD": "$",
    "EUR": "€",
    "GBP": "£",
    "JPY": "¥",
    "CNY": "CN¥",
    "INR": "₹",
    "KRW": "₩",
    "AUD": "A$",
    "CAD": "CA$",
    "NZD": "NZ$",
    "HKD": "HK$",
    "MXN": "MX$",
    "BRL": "R$",
    "ILS": "₪",
}


def currency_code() -> str:
    """Return the installation's ISO 4217 currency code (the `FUNNEL_CURRENCY` setting)."""
    return str(settings.FUNNEL_CURRENCY).strip().upper()


def _decimal(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _rounded(number: Decimal, places: int) -> Decimal:
    # number_format truncates extra places; round half up first, as accountants do.
    return number.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _localized(number: Decimal, places: int) -> str:
    return number_format(number, decimal_pos=places, use_l10n=True, force_grouping=True)


def format_money(value: Any, places: int = 0) -> str:
    """Return `value` as localized money in the installation's currency (`$2,008,100`); `—` for no amount."""
    amount = _decimal(value)
    if amount is None:
        return EMPTY
    places = max(int(places), 0)
    amount = _rounded(amount, places)
    sign = "-" if amount < 0 else ""
    digits = _localized(abs(amount), places)
    code = currency_code()
    symbol = CURRENCY_SYMBOLS.get(code)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{digits} {code}"


def format_percent(rate: Any, places: int = 1) -> str:
    """Return a 0-1 rate as a localized percentage (`0.3043` → `30.4%`); `—` for no rate."""
    number = _decimal(rate)
    if number is None:
        return EMPTY
    places = max(int(places), 0)
    return f"{_localized(_rounded(number * 100, places), places)}%"


@register.filter(name="money")
def money(value: Any, places: int = 0) -> str:
    """`{{ amount|money }}` → `$2,008,100`; `{{ amount|money:2 }}` → `$2,008,100.00`."""
    return format_money(value, places)


@register.filter(name="percent")
def percent(rate: Any, places: int = 1) -> str:
    """`{{ rate|percent }}` → `30.4%` for a 0-1 rate."""
    return format_percent(rate, places)


@register.simple_tag
def currency() -> str:
    """`{% currency %}` → the installation's currency code, e.g. for a column header."""
    return currency_code()


@register.filter(name="ago")
def ago(moment: Any) -> str:
    """A short relative time for tight spots (board cards): `now`, `5m ago`, `3h ago`, `2d ago`, `6w ago`, then the
    month (`Mar 2025`); `—` for none. The exact time belongs in the element's title."""
    if not moment:
        return EMPTY
    seconds = (timezone.now() - moment).total_seconds()
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            if unit == "w" and seconds >= 365 * 86400:
                return date_format(timezone.localtime(moment), "M Y")
            return f"{int(seconds // size)}{unit} ago"
    return "now"
