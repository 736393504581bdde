"""Money and rates on pages: localized with Django's l10n, in the installation's currency."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import override_settings
from django.utils import timezone, translation

from core.templatetags.formatting import ago, format_money, format_percent


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("2008100.00", "$2,008,100"),
        (Decimal("1234.50"), "$1,235"),
        (999.49, "$999"),
        (0, "$0"),
        ("-12.5", "-$13"),
        ("-0.4", "$0"),
        (None, "—"),
        ("", "—"),
        ("not a number", "—"),
    ],
)
def test_money_is_whole_units_in_the_installations_currency(value, shown):
    assert format_money(value) == shown


def test_money_keeps_the_cents_when_asked():
    assert format_money("2008100.005", 2) == "$2,008,100.01"


@pytest.mark.parametrize(
    ("rate", "shown"),
    [(0.3043, "30.4%"), (0.30449, "30.4%"), (0.30451, "30.5%"), (0, "0.0%"), (1, "100.0%"), (None, "—")],
)
def test_a_0_to_1_rate_reads_as_a_percentage(rate, shown):
    assert format_percent(rate) == shown


def test_grouping_and_decimal_marks_follow_the_active_language():
    with translation.override("de"):
        assert format_money("2008100.50", 2) == "$2.008.100,50"
        assert format_percent(0.3043) == "30,4%"


@override_settings(FUNNEL_CURRENCY="eur")
def test_the_currency_setting_picks_the_symbol():
    assert format_money("1500") == "€1,500"


@override_settings(FUNNEL_CURRENCY="CHF")
def test_a_currency_without_a_known_symbol_is_named_by_its_code():
    assert format_money("1500") == "1,500 CHF"


def test_the_template_filters_format_money_and_rates():
    template = Template(
        "{% load formatting %}{{ amount|money }} · {{ amount|money:2 }} · {{ rate|percent }} · {% currency %}"
    )
    shown = template.render(Context({"amount": Decimal("2008100.00"), "rate": 0.3043}))
    assert shown == "$2,008,100 · $2,008,100.00 · 30.4% · USD"


@pytest.mark.parametrize(
    ("before", "shown"),
    [
        (timedelta(seconds=20), "now"),
        (timedelta(minutes=5), "5m ago"),
        (timedelta(hours=3, minutes=59), "3h ago"),
        (timedelta(days=2), "2d ago"),
        (timedelta(days=45), "6w ago"),
    ],
)
def test_ago_is_a_short_relative_time(before, shown):
    assert ago(timezone.now() - before) == shown
    assert ago(None) == "—"
