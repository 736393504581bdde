"""The dashboard's tables: columns shared by the page and the CSV exports, and formula-safe CSV cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from dashboards import selectors
from dashboards.filters import FunnelFilters
from users.models import User

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """Render one CSV cell, prefixing a quote to text a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def write_csv(columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]]) -> str:
    """Return CSV text with a header row of column titles."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(title) for _key, title in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(key)) for key, _title in columns])
    return out.getvalue()


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[tuple[str, str]]
    rows: Callable[[dict[str, Any]], list[dict[str, Any]]]  # picks the rows out of the dashboard data
    load: Callable[[User, FunnelFilters], dict[str, Any]]  # computes just what the table needs


CONVERSION_COLUMNS = [
    ("leads", "Leads"),
    ("mqls", "MQLs"),
    ("sqls", "SQLs"),
    ("converted", "Converted"),
    ("won", "Won"),
    ("conversion_rate", "Conversion rate"),
    ("won_amount", "Won amount"),
]


def _funnel(user, filters):
    return selectors.get_funnel(user, filters)


def _velocity(user, filters):
    data = selectors.get_funnel(user, filters)
    medians = selectors.get_velocity_medians(user, filters)
    for step in data["velocity"]:
        step["median_days"] = medians.get(step["step"])
    return data


TABLES: dict[str, Table] = {
    "funnel": Table(
        "Funnel",
        [
            ("label", "Stage"),
            ("count", "Leads"),
            ("step_conversion", "Step conversion"),
            ("overall_conversion", "Overall conversion"),
        ],
        lambda d: d["stages"],
        _funnel,
    ),
    "by_source": Table(
        "Conversion by source", [("label", "Source"), *CONVERSION_COLUMNS], lambda d: d["by_source"], _funnel
    ),
    "by_owner": Table(
        "Conversion by owner", [("owner_name", "Owner"), *CONVERSION_COLUMNS], lambda d: d["by_owner"], _funnel
    ),
    "velocity": Table(
        "Velocity",
        [("label", "Step"), ("leads", "Leads"), ("avg_days", "Average days"), ("median_days", "Median days")],
        lambda d: d["velocity"],
        _velocity,
    ),
    "time_in_status": Table(
        "Time in status",
        [("label", "Status"), ("stays", "Stays"), ("avg_days", "Average days"), ("median_days", "Median days")],
        lambda d: d["time_in_status"],
        lambda u, f: {"time_in_status": selectors.get_time_in_status(u, f)},
    ),
    "pipeline": Table(
        "Open pipeline by stage",
        [("name", "Stage"), ("count", "Opportunities"), ("amount", "Amount"), ("weighted_amount", "Weighted amount")],
        lambda d: d["pipeline"]["by_stage"],
        lambda u, f: {"pipeline": selectors.get_pipeline(u, f)},
    ),
    "revenue_by_month": Table(
        "Expected revenue by close month",
        [("month", "Close month"), ("count", "Opportunities"), ("amount", "Amount"), ("weighted_amount", "Weighted")],
        lambda d: d["pipeline"]["by_close_month"],
        lambda u, f: {"pipeline": selectors.get_pipeline(u, f)},
    ),
    "lost_reasons": Table(
        "Lost reasons",
        [("reason", "Reason"), ("count", "Deals"), ("amount", "Amount")],
        lambda d: d["closed"]["lost_reasons"],
        lambda u, f: {"closed": selectors.get_closed_deals(u, f)},
    ),
    "trend": Table(
        "Leads created vs converted per week",
        [("week", "Week of"), ("created", "Created"), ("converted", "Converted")],
        lambda d: d["trend"],
        lambda u, f: {"trend": selectors.get_trend(u, f)},
    ),
    "unattended": Table(
        "Unattended leads",
        [("owner_name", "Owner"), ("leads", "Idle open leads"), ("idle_since", "Idle since")],
        lambda d: d["unattended"],
        lambda u, f: {"unattended": selectors.get_unattended(u, f)},
    ),
}
