"""The dashboard's tables: columns shared by the page and the CSV exports, and formula-safe CSV cells.

The page formats money and rates for people (`$2,008,100`, `30.4%`); the CSV keeps them machine-readable and names
the unit in the header instead: rates as 0-1 decimals (`Conversion rate (0-1)`, 0.3043), money as decimal strings
to the cent in the installation's currency (`Amount (USD)`, 2008100.00), days as decimals to one place.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from core.templatetags.formatting import currency_code
from dashboards import selectors
from dashboards.selectors import activity, campaigns

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# Columns holding 0-1 rates and money: shown as `30.4%` and `$1,200` on the page, raw with their unit in CSV.
RATE_KEYS = frozenset({"conversion_rate", "step_conversion", "overall_conversion"})
MONEY_KEYS = frozenset(
    {
        "amount",
        "weighted_amount",
        "won_amount",
        "pipeline_amount",
        "won_revenue",
        "actual_cost",
        "cost_per_lead",
        "cost_per_mql",
        "cost_per_won_deal",
    }
)


def csv_header(key: str, title: str) -> str:
    """Return a column's CSV header: its title, plus the unit of a rate or money column."""
    if key in RATE_KEYS:
        return f"{title} (0-1)"
    if key in MONEY_KEYS:
        return f"{title} ({currency_code()})"
    return title


def csv_cell(value: Any) -> str:
    """Render one CSV cell, prefixing a quote to text a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def write_csv(columns: list[tuple[str, str]], rows: Iterable[dict[str, Any]]) -> str:
    """Return CSV text with a header row of column titles, each rate or money column naming its unit."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_cell(csv_header(key, title)) for key, title in columns])
    for row in rows:
        writer.writerow([csv_cell(row.get(key)) for key, _title in columns])
    return out.getvalue()


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[tuple[str, str]]
    rows: Callable[[dict[str, Any]], list[dict[str, Any]]]  # picks the rows out of the dashboard data
    load: Callable[..., dict[str, Any]]  # (user, filters, **options) → just what the table needs
    # Reads a report's own query parameters (e.g. the activity report's period) into `load`'s options; raises
    # ValueError naming a bad one. None: the table takes only the dashboard filters.
    options: Callable[[Any], dict[str, Any]] | None = None
    filename: str = "funnel"  # the export's file name starts with it


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


# Every table the dashboards export, by URL name (`export/<name>.csv` and `.xlsx`); a report joins with
# `register_table`.
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
    "sdr_sourced": Table(
        "SDR-sourced pipeline",
        [
            ("sdr_name", "SDR"),
            ("deals", "Deals sourced"),
            ("open_deals", "Open deals"),
            ("amount", "Open amount"),
            ("won_deals", "Won in range"),
            ("won_amount", "Won amount"),
        ],
        lambda d: d["sdr_sourced"],
        lambda u, f: {"sdr_sourced": selectors.get_sdr_sourced(u, f)},
    ),
    "unattended": Table(
        "Unattended leads",
        [("owner_name", "Owner"), ("leads", "Idle open leads"), ("idle_since", "Idle since")],
        lambda d: d["unattended"],
        lambda u, f: {"unattended": selectors.get_unattended(u, f)},
    ),
}


def register_table(name: str, table: Table) -> None:
    """Make `table` exportable as `export/<name>.csv` and `export/<name>.xlsx`, and listable by `table_views`."""
    if name in TABLES and TABLES[name] != table:
        raise ValueError(f"A table named {name!r} is already registered.")
    TABLES[name] = table


def _activity(user, filters, **options):
    return activity.get_activity_report(user, filters, **options)


ACTIVITY_COLUMNS = [(key, label) for key, label in activity.COUNTERS]
register_table(
    "activity_leaderboard",
    Table(
        "Activity leaderboard",
        [("rank", "Rank"), ("rep_name", "Rep"), ("score", "Score"), *ACTIVITY_COLUMNS],
        lambda d: d["leaderboard"],
        _activity,
        activity.parse_activity_options,
        "activity",
    ),
)
register_table(
    "activity_by_period",
    Table(
        "Activity per rep and period",
        [("period", "Period from"), ("rep_name", "Rep"), *ACTIVITY_COLUMNS],
        lambda d: d["rows"],
        _activity,
        activity.parse_activity_options,
        "activity",
    ),
)
register_table(
    "activity_trend",
    Table(
        "Activity per week",
        [("week", "Week of"), *ACTIVITY_COLUMNS],
        lambda d: d["trend"],
        _activity,
        activity.parse_activity_options,
        "activity",
    ),
)


def _campaign_options(params) -> dict[str, str]:
    attribution = params.get("attribution") or campaigns.FIRST_TOUCH
    if attribution not in campaigns.ATTRIBUTION_LABELS:
        raise ValueError(f"attribution must be one of {', '.join(campaigns.ATTRIBUTION_MODELS)}")
    return {"attribution": attribution}


def _campaign_rows(user, _filters, *, attribution: str) -> dict[str, Any]:
    rows = []
    for report in campaigns.list_campaign_reports(user, models=(attribution,)):
        credit = report.attribution[attribution]
        rows.append(
            {
                "campaign": report.campaign.name,
                **{key: getattr(report, key) for key in ("members", "responses", "mqls", "sqls", "converted")},
                **{key: getattr(credit, key) for key in ("opportunities", "pipeline_amount", "won_revenue")},
                "actual_cost": report.campaign.actual_cost,
                "cost_per_lead": report.cost_per_lead,
                "cost_per_mql": report.cost_per_mql,
                "cost_per_won_deal": credit.cost_per_won_deal,
                "roi": credit.roi,
            }
        )
    return {"campaigns": rows}


register_table(
    "campaigns",
    Table(
        "Campaign report",
        [
            ("campaign", "Campaign"),
            ("members", "Members"),
            ("responses", "Responses"),
            ("mqls", "MQLs"),
            ("sqls", "SQLs"),
            ("converted", "Converted"),
            ("opportunities", "Opportunities"),
            ("pipeline_amount", "Pipeline"),
            ("won_revenue", "Won revenue"),
            ("actual_cost", "Actual cost"),
            ("cost_per_lead", "Cost per lead"),
            ("cost_per_mql", "Cost per MQL"),
            ("cost_per_won_deal", "Cost per won deal"),
            ("roi", "ROI (ratio: 1 = 100%)"),
        ],
        lambda d: d["campaigns"],
        _campaign_rows,
        _campaign_options,
        "campaigns",
    ),
)
