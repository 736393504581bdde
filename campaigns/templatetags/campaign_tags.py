"""`{% lead_campaigns lead %}`: a lead's campaigns, first and last touch, for the lead page."""

from django import template

from campaigns.selectors import list_lead_campaigns

register = template.Library()


@register.inclusion_tag("campaigns/_lead_campaigns.html")
def lead_campaigns(lead) -> dict:
    memberships = list_lead_campaigns(lead.pk)
    return {
        "memberships": memberships,
        "first": memberships[0] if memberships else None,
        "last": max(memberships, key=lambda m: (m.created_at, m.pk)) if memberships else None,
    }
