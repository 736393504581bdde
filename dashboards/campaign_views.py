"""`/dashboard/campaigns/`: every campaign's results side by side, under the chosen attribution model."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.replica import reads_replica
from dashboards.selectors.campaigns import ATTRIBUTION_LABELS, FIRST_TOUCH, list_campaign_reports


@login_required
@reads_replica
def campaign_dashboard(request: HttpRequest) -> HttpResponse:
    """The campaign report of every campaign the user can see (figures over the members they can see)."""
    attribution = request.GET.get("attribution", FIRST_TOUCH)
    if attribution not in ATTRIBUTION_LABELS:
        attribution = FIRST_TOUCH
    reports = list_campaign_reports(request.user, models=(attribution,))
    rows = [(report, report.attribution[attribution]) for report in reports]
    context = {"rows": rows, "attribution": attribution, "models": list(ATTRIBUTION_LABELS.items())}
    return render(request, "dashboards/campaigns.html", context)
