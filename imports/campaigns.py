"""The import's campaign column (`CampaignId` as in Salesforce, or `Campaign`): each row's lead joins that campaign.

The column holds a campaign id or its exact name (any campaign not aborted). A row names its lead by email — the
key the import upserts by — so a row with a campaign and no email is refused, like any bad cell, naming the column.
The leads join as `sent` (Salesforce's default for imported members), one insert per campaign and chunk, in the
chunk's transaction; a lead already in the campaign keeps its membership (and its first touch).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from campaigns.models import Campaign, CampaignMember
from campaigns.services import tag_leads_with_campaign
from imports.models import ImportJob
from leads.models import Lead


class CampaignColumn:
    """Turn a cell into a campaign id; the campaigns are read once per job."""

    def __init__(self) -> None:
        self.by_key: dict[str, int] = {}
        for pk, name in Campaign.objects.open().values_list("pk", "name"):
            self.by_key.setdefault(name.strip().lower(), pk)
            self.by_key[str(pk)] = pk

    def to_campaign(self, value: str) -> int:
        pk = self.by_key.get(value.strip().lower())
        if pk is None:
            raise ValueError("Unknown or aborted campaign; give its id or its exact name.")
        return pk


def tag_chunk_with_campaigns(job: ImportJob, rows: Iterable[dict[str, Any]]) -> int:
    """Make each written row's lead a member of the row's campaign; return how many joined."""
    emails: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        if row.get("_campaign") and row.get("email"):
            emails[row["_campaign"]].append(row["email"])
    joined = 0
    for campaign_id, campaign_emails in emails.items():
        leads = Lead.objects.exclude(status=Lead.Status.CONVERTED).filter(email__in=campaign_emails)
        lead_ids = list(leads.values_list("pk", flat=True))
        joined += tag_leads_with_campaign(
            lead_ids, Campaign(pk=campaign_id), status=CampaignMember.Status.SENT, by=job.created_by
        )
    return joined
