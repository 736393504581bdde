"""`/dashboard/sla/`: speed to lead — time to first touch per rep and source, the share within SLA by week.

Every signed-in user: a rep sees their own clocks, a manager their teams', an admin everyone's
(definitions in `dashboards.selectors.sla`). Each table downloads as formula-safe CSV or XLSX with the page's filters.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from core.replica import reads_replica
from dashboards.exports import table_download
from dashboards.selectors.sla import SlaFilterError, get_sla_report, parse_sla_filters
from users.models import Team

COLUMNS = {
    "rep": ("by_rep", [("rep", "Rep")]),
    "source": ("by_source", [("source_label", "Source")]),
    "week": ("by_week", [("week", "Week of")]),
}
FIGURES = [
    ("leads", "Leads"),
    ("touched", "Touched"),
    ("decided", "Decided"),
    ("within", "Within SLA"),
    ("share", "Share within SLA (0-1)"),
]
MEDIAN = [("median", "Median business minutes to first touch")]


def _columns(table: str) -> list[tuple[str, str]]:
    _key, first = COLUMNS[table]
    return [*first, *(MEDIAN if table != "week" else []), *FIGURES]


def _read(request: HttpRequest):
    try:
        return parse_sla_filters(request.user, request.GET), None
    except Team.DoesNotExist:
        raise Http404("No such team.") from None
    except SlaFilterError as exc:
        return parse_sla_filters(request.user, {}), exc.message


@login_required
@reads_replica
def sla_report(request: HttpRequest) -> HttpResponse:
    """The speed-to-lead report of the clocks the user may see; a bad filter is named and the defaults shown."""
    filters, error = _read(request)
    report = get_sla_report(request.user, filters)
    context = {
        "filters": filters,
        "error": error,
        "report": report,
        "teams": Team.objects.visible_to(request.user).only("pk", "name"),
        "query": urlencode(filters.query()),
    }
    return render(request, "dashboards/sla.html", context, status=400 if error else 200)


@login_required
@reads_replica
def sla_export(request: HttpRequest, table: str, extension: str = "csv") -> HttpResponse:
    """Download one table of the report (rep, source or week) as CSV or XLSX."""
    if table not in COLUMNS:
        raise Http404("No such table.")
    filters, error = _read(request)
    if error:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    rows = get_sla_report(request.user, filters)[COLUMNS[table][0]]
    name = f"sla-by-{table}-{filters.week_from.isoformat()}-{filters.week_to.isoformat()}"
    return table_download(f"Speed to lead by {table}", _columns(table), rows, filename=name, extension=extension)
