"""The activity report page: calls, emails, meetings, tasks and leads worked per rep, a leaderboard and a trend.

Open to every role, like the funnel dashboard: a rep's page is their own activity ("My activity"), a manager's
covers the teams they manage, an admin's everyone. The numbers are `dashboards.selectors.activity`'s, as in the
exports, the API and the weekly digest.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from core.replica import reads_replica
from dashboards import charts
from dashboards.filters import parse_filters
from dashboards.selectors.activity import COUNTERS, PERIODS, SORT_KEYS, get_activity_report, parse_activity_options
from dashboards.views import table_views

ACTIVITY_TABLES = ("activity_leaderboard", "activity_trend", "activity_by_period")
SORT_LABELS = [("score", "Score"), ("name", "Name"), *COUNTERS]


def activity_charts(report: dict) -> dict:
    """Return the report's charts: the leaderboard's scores as bars, and calls vs leads worked per week."""
    return {
        "leaderboard": charts.bar_chart(
            [charts.Bar(row["rep_name"], row["score"], f"{row['score']:,}") for row in report["leaderboard"]],
            title="Activity score per rep",
        ),
        "trend": charts.column_pairs_chart(
            [(row["week"][5:], row["calls"], row["leads_worked"]) for row in report["trend"]],
            title="Calls and leads worked per week",
            series=("Calls", "Leads worked"),
        ),
    }


@login_required
@reads_replica
def activity_report(request):
    """Show the activity of the reps the user may see (a rep: their own) over the dashboard's date range."""
    filters, form = parse_filters(request.user, request.GET)
    form.fields["created_after"].label, form.fields["created_before"].label = "Activity from", "Activity to"
    error = ""
    options = {}
    if filters is not None:
        try:
            options = parse_activity_options(request.GET)
        except ValueError as exc:
            error = str(exc)
    context = {"form": form, "error": error, "periods": PERIODS, "sorts": SORT_LABELS}
    if filters is None or error:
        return render(request, "dashboards/activity.html", context, status=400)
    report = get_activity_report(request.user, filters, **options)
    query = urlencode({**filters.query_params(), **options})
    context.update(
        filters=filters,
        report=report,
        options=options,
        tables=table_views(report, query, ACTIVITY_TABLES),
        charts=activity_charts(report),
        sort_keys=SORT_KEYS,
    )
    return render(request, "dashboards/activity.html", context)
