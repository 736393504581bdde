"""The weekly digest's sections: each one a report page's numbers for last week, as bars and a small table.

`DIGEST_SECTIONS` is the one list of what a digest holds, in order; a report joins the digest with one entry
there (a function `(user, filters) -> DigestSection | None`, None to leave the section out). Every section is
built from the same selector as its page, over the same filters, so the digest's numbers are the page's: its
link opens the page on exactly that range.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from core.templatetags.formatting import format_money, format_percent
from dashboards import selectors
from dashboards.filters import FunnelFilters
from dashboards.selectors.activity import get_activity_report
from dashboards.selectors.campaigns import FIRST_TOUCH, list_campaign_reports
from dashboards.selectors.forecast import get_forecast, parse_forecast_filters
from dashboards.selectors.sla import SlaFilters, get_sla_report
from users.models import User

TOP_REPS = 10  # the activity leaderboard's head; the page has the rest


@dataclass(frozen=True)
class DigestBar:
    label: str
    text: str  # the number as shown
    percent: float  # bar width, 0-100, of the section's largest value


@dataclass(frozen=True)
class DigestSection:
    key: str
    title: str
    link: str  # absolute URL of the page these numbers come from
    bars: list[DigestBar] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""


def bars(items: list[tuple[str, float, str]]) -> list[DigestBar]:
    """Scale (label, value, text) items to bars, the largest value filling the width."""
    top = max((value for _label, value, _text in items), default=0) or 1
    return [DigestBar(label, text, round(100 * value / top, 1)) for label, value, text in items]


def page_link(name: str, filters: FunnelFilters, **extra: str) -> str:
    params = {
        "created_after": filters.created_after.isoformat(),
        "created_before": filters.created_before.isoformat(),
        **extra,
    }
    return f"{settings.SITE_URL.rstrip('/')}{reverse(name)}?{urlencode(params)}"


def funnel_section(user: User, filters: FunnelFilters) -> DigestSection:
    """Leads created last week through the funnel, as on the dashboard for that range."""
    funnel = selectors.get_funnel(user, filters)
    stages = funnel["stages"]
    return DigestSection(
        key="funnel",
        title="Funnel: leads created last week",
        link=page_link("dashboards:dashboard", filters),
        bars=bars(
            [(s["label"], s["count"], f"{s['count']:,} · {format_percent(s['overall_conversion'])}") for s in stages]
        ),
        headers=["Owner", "Leads", "Converted", "Conversion rate"],
        rows=[
            [row["owner_name"], f"{row['leads']:,}", f"{row['converted']:,}", format_percent(row["conversion_rate"])]
            for row in funnel["by_owner"][:TOP_REPS]
        ],
    )


def activity_section(user: User, filters: FunnelFilters) -> DigestSection:
    """Last week's activity per rep, ranked by score, as on the activity report for that range."""
    report = get_activity_report(user, filters)
    board = report["leaderboard"][:TOP_REPS]
    totals = report["totals"]
    return DigestSection(
        key="activity",
        title="Activity last week",
        link=page_link("dashboards:activity", filters),
        bars=bars([(row["rep_name"], row["score"], f"score {row['score']:,}") for row in board]),
        headers=["Rep", "Calls", "Connected", "Emails", "Meetings", "Tasks done", "Leads worked", "Converted"],
        rows=[
            [
                row["rep_name"],
                *(
                    f"{row[key]:,}"
                    for key in (
                        "calls",
                        "calls_connected",
                        "emails",
                        "meetings",
                        "tasks_done",
                        "leads_worked",
                        "converted",
                    )
                ),
            ]
            for row in board
        ],
        note=f"{totals['calls']:,} calls, {totals['emails']:,} emails, {totals['meetings']:,} meetings, "
        f"{totals['leads_worked']:,} leads worked, {totals['converted']:,} converted.",
    )


def sla_section(user: User, filters: FunnelFilters) -> DigestSection:
    """Last week's speed to lead per rep: the share of decided first-touch clocks within SLA, as on the SLA page."""
    week = SlaFilters(week_from=filters.created_after, week_to=filters.created_after)
    report = get_sla_report(user, week)
    by_rep = report["by_rep"][:TOP_REPS]
    link = f"{settings.SITE_URL.rstrip('/')}{reverse('dashboards:sla')}?{urlencode(week.query())}"
    [total] = report["by_week"] or [{"leads": 0, "decided": 0, "within": 0, "share": None}]
    return DigestSection(
        key="sla",
        title="Speed to lead last week",
        link=link,
        bars=bars([(row["rep"], row["share"] or 0, _share(row["share"])) for row in by_rep]),
        headers=["Rep", "Leads", "Touched", "Within SLA", "Median minutes"],
        rows=[
            [
                row["rep"],
                f"{row['leads']:,}",
                f"{row['touched']:,}",
                _share(row["share"]),
                "—" if row["median"] is None else f"{row['median']:,.0f}",
            ]
            for row in by_rep
        ],
        note=f"{total['within']:,} of {total['decided']:,} decided leads touched within SLA ({_share(total['share'])}).",
    )


def forecast_section(user: User, filters: FunnelFilters) -> DigestSection:
    """This month's forecast per rep (quota, closed won, commit, weighted), as on the forecast page that Monday."""
    monday = filters.created_before + timedelta(days=1)
    chosen = parse_forecast_filters(user, {"period": "this_month"}, today=monday)
    forecast = get_forecast(user, chosen, today=monday)
    reps = forecast["reps"][:TOP_REPS]
    total = forecast["total"]
    link = f"{settings.SITE_URL.rstrip('/')}{reverse('dashboards:forecast')}?{urlencode(chosen.query())}"
    return DigestSection(
        key="forecast",
        title=f"Forecast: {chosen.period.label}",
        link=link,
        bars=bars([(row["rep"], float(row["closed_won"]), format_money(row["closed_won"])) for row in reps]),
        headers=["Rep", "Quota", "Closed won", "Commit", "Weighted pipeline", "Attainment"],
        rows=[
            [
                row["rep"],
                "—" if row["quota"] is None else format_money(row["quota"]),
                format_money(row["closed_won"]),
                format_money(row["commit"]),
                format_money(row["weighted"]),
                _share(row["attainment"]),
            ]
            for row in reps
        ],
        note=f"Closed won {format_money(total['closed_won'])}, commit {format_money(total['commit'])}, "
        f"weighted pipeline {format_money(total['weighted'])}.",
    )


def campaign_section(user: User, filters: FunnelFilters) -> DigestSection | None:
    """The campaigns that returned most to date (first-touch credit), as on the campaign report; none: left out."""
    reports = list_campaign_reports(user, models=(FIRST_TOUCH,))
    if not reports:
        return None
    ranked = sorted(reports, key=lambda r: (-r.attribution[FIRST_TOUCH].won_revenue, r.campaign.name))[:TOP_REPS]
    link = f"{settings.SITE_URL.rstrip('/')}{reverse('dashboards:campaigns')}?attribution={FIRST_TOUCH}"
    return DigestSection(
        key="campaigns",
        title="Campaigns to date (first touch)",
        link=link,
        bars=bars(
            [
                (
                    r.campaign.name,
                    float(r.attribution[FIRST_TOUCH].won_revenue),
                    format_money(r.attribution[FIRST_TOUCH].won_revenue),
                )
                for r in ranked
            ]
        ),
        headers=["Campaign", "Members", "MQLs", "Won revenue", "Actual cost", "ROI"],
        rows=[
            [
                r.campaign.name,
                f"{r.members:,}",
                f"{r.mqls:,}",
                format_money(r.attribution[FIRST_TOUCH].won_revenue),
                "—" if r.campaign.actual_cost is None else format_money(r.campaign.actual_cost),
                _share(r.attribution[FIRST_TOUCH].roi),
            ]
            for r in ranked
        ],
    )


def _share(value: float | None) -> str:
    return "—" if value is None else format_percent(value)


# What a digest holds, in order. Add a report with one line: its section function.
DIGEST_SECTIONS: list[Callable[[User, FunnelFilters], DigestSection | None]] = [
    funnel_section,
    sla_section,
    forecast_section,
    activity_section,
    campaign_section,
]


def build_sections(user: User, filters: FunnelFilters) -> list[DigestSection]:
    """Return every digest section `user` gets for the range, in `DIGEST_SECTIONS` order."""
    return [section for build in DIGEST_SECTIONS if (section := build(user, filters)) is not None]
