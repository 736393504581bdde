"""Template tags of saved views."""

from django import template

from users.models import Team, User

register = template.Library()


@register.simple_tag
def shareable_teams(user: User) -> list[Team]:
    """The teams `user` may share a view with: every team for an admin, the ones they manage for a manager."""
    if not user.can_manage:
        return []
    teams = Team.objects.all() if user.is_admin else Team.objects.filter(manager=user)
    return list(teams.only("pk", "name"))
