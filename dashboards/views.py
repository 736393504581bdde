"""The funnel dashboard page and its CSV exports: a manager's team funnel, an admin's whole funnel, a rep's own.

Who sees it (decided in "First-run polish"): every signed-in user. The numbers come from the same `visible_to`
scoping as the funnel API, so a rep's page is "My funnel" over the records they own, linked in the navigation;
a manager's is their teams', an admin's everyone's. Pages whose purpose is managerial with no meaningful rep
version (the lead import, the admin) answer 404 to a rep instead, as a record they may not see does.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html_join

from core.replica import reads_replica
from core.templatetags.formatting import format_money, format_percent
from dashboards import charts, selectors
from dashboards.exports import table_download
from dashboards.filters import PRESETS, FunnelFilters, parse_filters
from dashboards.tables import MONEY_KEYS, RATE_KEYS, TABLES

# How each funnel stage is expressed in the lead list's query parameters; the funnel counts leads of any status.
STAGE_PARAMS = {
    "lead": {"status": "all"},
    "mql": {"status": "all", "mql": "yes"},
    "sql": {"status": "all", "sql": "yes"},
    "converted": {"status": "converted"},
    "won": {"status": "converted", "won": "yes"},
}


def lead_list_url() -> str:
    try:
        return reverse("leads:list")
    except NoReverseMatch:
        return "/leads/"


def stage_links(filters: FunnelFilters) -> dict[str, str]:
    """Link each funnel stage to the lead list filtered to that stage of the cohort.

    The lead list has no team filter; a team-filtered funnel links to the range, owner and source only.
    Without an owner the list shows everyone the user can see, as the funnel counts them.
    """
    base = {"created_after": filters.created_after.isoformat(), "created_before": filters.created_before.isoformat()}
    base["owner"] = str(filters.owner.pk) if filters.owner else "any"
    if filters.source:
        base["source"] = filters.source
    url = lead_list_url()
    return {key: f"{url}?{urlencode({**base, **extra})}" for key, extra in STAGE_PARAMS.items()}


DATE_PARAMS = {"preset", "created_after", "created_before"}


def preset_links(filters: FunnelFilters | None) -> list[dict[str, str | bool]]:
    """Link each date preset to the dashboard with the other filters kept and the dates left to the preset."""
    params = filters.query_params() if filters else {}
    kept = {key: value for key, value in params.items() if key not in DATE_PARAMS}
    url = reverse("dashboards:dashboard")
    return [
        {
            "key": key,
            "label": label,
            "href": f"{url}?{urlencode({'preset': key, **kept})}",
            "active": filters is not None and key == filters.preset,
        }
        for key, label in PRESETS
    ]


def _cell(key: str, value) -> tuple[str, str]:
    """Return (shown text, sort key) for one table cell; money and rates read as `$1,200` and `30.4%`."""
    if value is None:
        return "—", ""
    if key in RATE_KEYS:
        return format_percent(value), str(value)
    if key in MONEY_KEYS:
        return format_money(value), str(value)
    if key == "idle_since":
        return f"{timezone.localtime(value):%Y-%m-%d}", value.isoformat()
    if isinstance(value, int):
        return f"{value:,}", str(value)
    return str(value), str(value)


# The funnel dashboard's own tables; other reports' tables join the export registry but not this page.
DASHBOARD_TABLES = (
    "funnel",
    "by_source",
    "by_owner",
    "velocity",
    "time_in_status",
    "pipeline",
    "revenue_by_month",
    "lost_reasons",
    "trend",
    "sdr_sourced",
    "unattended",
)


def table_views(data: dict, query: str, names=DASHBOARD_TABLES) -> dict[str, dict]:
    """Lay out the named tables as headers and (text, sort key) cells, with their CSV and XLSX links."""
    out = {}
    for name in names:
        spec = TABLES[name]
        out[name] = {
            "name": name,
            "title": spec.title,
            "headers": [title for _key, title in spec.columns],
            # Each row's cells rendered here in one pass (escaped by format_html_join): a company-wide report has
            # thousands of cells, and a template loop over them cost more than the report's queries.
            "rows": [
                format_html_join(
                    "", '<td data-sort="{1}">{0}</td>', (_cell(key, row.get(key)) for key, _t in spec.columns)
                )
                for row in spec.rows(data)
            ],
            "csv": f"{reverse('dashboards:export', args=[name])}?{query}",
            "xlsx": f"{reverse('dashboards:export-xlsx', args=[name])}?{query}",
        }
    return out


@login_required
@reads_replica
def dashboard(request):
    """Show the funnel, conversion, velocity, pipeline, trend and unattended leads the user may see.

    Open to every role: a rep gets "My funnel", their own records only (the selectors start from `visible_to`).
    Every filter lives in the query string, and each control and link keeps the others.
    """
    filters, form = parse_filters(request.user, request.GET)
    if filters is None:
        context = {"form": form, "presets": preset_links(None)}
        return render(request, "dashboards/dashboard.html", context, status=400)
    data = selectors.get_dashboard(request.user, filters)
    links = stage_links(filters)
    for stage in data["stages"]:
        stage["href"] = links[stage["key"]]
    source_bars = [
        charts.Bar(
            row["label"], row["conversion_rate"], f"{format_percent(row['conversion_rate'])} of {row['leads']:,}"
        )
        for row in data["by_source"]
    ]
    pipeline_bars = [
        charts.Bar(row["name"], float(row["amount"]), f"{row['count']:,} · {format_money(row['amount'])}")
        for row in data["pipeline"]["by_stage"]
    ]
    status_bars = [
        charts.Bar(row["label"], row["avg_days"], f"{row['avg_days']} days avg") for row in data["time_in_status"]
    ]
    query = urlencode(filters.query_params())
    context = {
        "form": form,
        "filters": filters,
        "presets": preset_links(filters),
        "data": data,
        "query": query,
        "tables": table_views(data, query),
        "now": timezone.now(),
        "charts": {
            "funnel": charts.funnel_chart(data["stages"]),
            "by_source": charts.bar_chart(source_bars, title="Conversion rate by source"),
            "pipeline": charts.bar_chart(pipeline_bars, title="Open pipeline amount by stage"),
            "time_in_status": charts.bar_chart(status_bars, title="Average days in each status"),
            "trend": charts.column_pairs_chart(
                [(row["week"][5:], row["created"], row["converted"]) for row in data["trend"]],
                title="Leads created vs converted per week",
                series=("Created", "Converted"),
            ),
        },
    }
    return render(request, "dashboards/dashboard.html", context)


def _export(request, table: str, extension: str) -> HttpResponse:
    spec = TABLES.get(table)
    if spec is None:
        raise Http404("No such table.")
    filters, form = parse_filters(request.user, request.GET)
    if filters is None:
        return HttpResponse(form.errors.as_text(), status=400, content_type="text/plain; charset=utf-8")
    try:
        options = spec.options(request.GET) if spec.options else {}
    except ValueError as error:
        return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")
    rows = spec.rows(spec.load(request.user, filters, **options))
    stamp = f"{filters.created_after:%Y%m%d}-{filters.created_before:%Y%m%d}"
    return table_download(
        spec.title, spec.columns, rows, filename=f"{spec.filename}-{table}-{stamp}", extension=extension
    )


@login_required
@reads_replica
def export_csv(request, table: str):
    """Download one report table as CSV, with the page's filters and the user's scope.

    Values stay machine-readable (rates 0-1, money as decimal strings); the headers name the units.
    """
    return _export(request, table, "csv")


@login_required
@reads_replica
def export_xlsx(request, table: str):
    """Download one report table as XLSX: the CSV's columns and scope, with numbers as typed cells."""
    return _export(request, table, "xlsx")
