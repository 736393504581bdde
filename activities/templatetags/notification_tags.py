"""The header's notification bell: one COUNT query per page; its menu is fetched when opened."""

from django import template

from activities.models import Notification

register = template.Library()


@register.inclusion_tag("activities/_bell.html", takes_context=True)
def notification_bell(context) -> dict:
    """Render the bell with the signed-in user's unread count."""
    request = context["request"]
    unread = Notification.objects.visible_to(request.user).unread().count()
    return {"unread": unread, "request": request}
