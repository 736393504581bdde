"""The lead page's first-touch clock: "Due in 1 h 20 min (business time)" or "Breached by 35 min"."""

from django import template

from assignment.selectors import get_sla_clock

register = template.Library()


@register.simple_tag
def sla_clock(lead):
    """The lead's first-touch clock, or None: one query."""
    return get_sla_clock(lead.pk)


@register.filter
def business_duration(minutes: int) -> str:
    """`80` → `1 h 20 min` (the sign is dropped: the words around it say early or late)."""
    minutes = abs(int(minutes))
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} h {rest} min"
    return f"{hours} h" if hours else f"{rest} min"
