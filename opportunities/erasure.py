"""Erasing a person from deals: a deal named after the person loses the name and keeps the rest."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from opportunities.models import Opportunity

ERASED_NAME = "Erased person"


@transaction.atomic
def erase_name_from_opportunities(opportunity_ids: list[int], *, names: list[str]) -> int:
    """Replace each of `names` (the person's full names) in the names of `opportunity_ids` by "Erased person";
    return how many deals were renamed. Amounts, stages and history stay: the pipeline stays true."""
    names = sorted({name.strip() for name in names if name.strip()}, key=len, reverse=True)
    renamed = 0
    for deal in Opportunity.objects.select_for_update().filter(pk__in=opportunity_ids).order_by("pk"):
        new_name = deal.name
        for name in names:
            new_name = new_name.replace(name, ERASED_NAME)
        if new_name != deal.name:
            Opportunity.objects.filter(pk=deal.pk).update(name=new_name[:255], updated_at=timezone.now())
            renamed += 1
    return renamed
