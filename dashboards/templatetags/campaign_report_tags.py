"""`{% campaign_report campaign user attribution %}`: the campaign page's results, under one attribution model.

The campaign page belongs to campaigns, below dashboards; its template loads this tag, so the app below never
imports the report.
"""

from django import template

from dashboards.selectors.campaigns import ATTRIBUTION_LABELS, FIRST_TOUCH, get_campaign_report

register = template.Library()


@register.inclusion_tag("dashboards/_campaign_report.html")
def campaign_report(campaign, user, attribution: str = FIRST_TOUCH) -> dict:
    attribution = attribution if attribution in ATTRIBUTION_LABELS else FIRST_TOUCH
    report = get_campaign_report(user, campaign, models=(attribution,))
    return {
        "report": report,
        "credit": report.attribution[attribution],
        "attribution": attribution,
        "models": list(ATTRIBUTION_LABELS.items()),
    }
