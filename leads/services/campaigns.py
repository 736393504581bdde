"""Lead writes that also tag the lead with a campaign: the API's create and edit, the web-to-lead capture.

The tag is written in the same transaction as the lead (campaigns.services), so a refused tag leaves no lead
behind. A lead joins as `sent` from the API (Salesforce's default member status) and as `responded` from a web
form (the visitor answered). Tagging is idempotent: naming a campaign the lead already belongs to changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from campaigns.models import Campaign, CampaignMember
from campaigns.services import tag_lead_with_campaign
from leads.models import Lead, WebForm
from leads.services.capture import create_lead, update_lead
from leads.services.web_forms import capture_web_form_submission
from users.models import User


def create_lead_in_campaign(*, by: User | None, campaign: Campaign | None = None, **fields: Any) -> Lead:
    """Create a lead (`create_lead`) and, with `campaign`, make it a member of that campaign.

    The lead comes back with its first and last touch set, as a list row has them annotated: a new lead's only
    membership is `campaign`, so the API answers without reading them back.
    """
    if campaign is None:
        # create_lead is atomic on its own: no outer transaction, no savepoint around it.
        lead = create_lead(by=by, **fields)
    else:
        with transaction.atomic():
            lead = create_lead(by=by, **fields)
            tag_lead_with_campaign(lead.pk, campaign, status=CampaignMember.Status.SENT, by=by)
    lead.first_touch_campaign_id = lead.last_touch_campaign_id = getattr(campaign, "pk", None)
    return lead


@transaction.atomic
def update_lead_in_campaign(lead: Lead, *, by: User | None, data: dict[str, Any]) -> Lead:
    """Edit a lead (`update_lead`) and, when `data` names a `campaign`, make it a member of that campaign."""
    data = dict(data)
    campaign = data.pop("campaign", None)
    lead = update_lead(lead, by=by, data=data)
    if campaign is not None:
        tag_lead_with_campaign(lead.pk, campaign, status=CampaignMember.Status.SENT, by=by)
    return lead


@transaction.atomic
def capture_web_form_submission_in_campaign(
    form: WebForm, *, data: dict[str, Any], campaign: Campaign | None = None
) -> Lead:
    """Capture a web form post (`capture_web_form_submission`) and tag the lead with the form's `campaign`."""
    lead = capture_web_form_submission(form, data=data)
    if campaign is not None:
        tag_lead_with_campaign(lead.pk, campaign, status=CampaignMember.Status.RESPONDED, by=None)
    return lead
