"""The lead page's customer match: "Matches account Acme (customer since Mar 2024)"."""

from django import template
from django.db.models import Min

from opportunities.models import Opportunity

register = template.Library()


@register.simple_tag
def customer_since(account):
    """The date of the account's first won deal, or None: one query, only on leads that matched a customer."""
    if account is None:
        return None
    return Opportunity.objects.filter(account=account, stage__is_won=True).aggregate(first=Min("closed_at"))["first"]
