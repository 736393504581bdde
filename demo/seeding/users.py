"""Demo users and teams: an admin, two managers with a team each, and eight reps, all with the demo password."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import make_password

from users.models import Team, User

if TYPE_CHECKING:
    from demo.seeding.context import Output, SeedContext

DEMO_PASSWORD = "funnel-demo"  # noqa: S105 - the documented demo password


@dataclass(frozen=True)
class DemoUser:
    username: str
    name: str
    role: str
    team: str | None = None
    function: str = ""
    level: str = User.Level.MID
    skills: tuple[str, ...] = ()
    shares: int = 1


DEMO_TEAMS = {"East": "manager", "West": "manager2"}
DEMO_USERS = [
    DemoUser("admin", "Avery Admin", User.Role.ADMIN),
    DemoUser("manager", "Morgan Reyes", User.Role.MANAGER, "East", "manager"),
    DemoUser("manager2", "Jordan Blake", User.Role.MANAGER, "West", "manager"),
    # Each team has SDRs who work the leads and AEs who take the deals over at conversion.
    DemoUser("rep1", "Sam Carter", User.Role.REP, "East", "sdr", User.Level.JUNIOR, ("en",)),
    DemoUser("rep2", "Priya Shah", User.Role.REP, "East", "ae", User.Level.SENIOR, ("en", "fintech"), 2),
    DemoUser("rep3", "Liam O'Connor", User.Role.REP, "East", "ae", User.Level.MID, ("en",)),
    DemoUser("rep4", "Mia Schulz", User.Role.REP, "East", "sdr", User.Level.SENIOR, ("de", "en")),
    DemoUser("rep5", "Noah Kim", User.Role.REP, "West", "sdr", User.Level.SENIOR, ("en",)),
    DemoUser("rep6", "Emma Rossi", User.Role.REP, "West", "ae", User.Level.SENIOR, ("it", "en"), 2),
    DemoUser("rep7", "Lucas Martin", User.Role.REP, "West", "ae", User.Level.MID, ("fr", "en")),
    DemoUser("rep8", "Sofia López", User.Role.REP, "West", "sdr", User.Level.JUNIOR, ("es", "en")),
]
DEMO_USERNAMES = [user.username for user in DEMO_USERS]


def seed_users(ctx: SeedContext) -> int:
    """Create or overwrite the demo users and teams; return how many rows were written."""
    password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is deliberately slow
    users: dict[str, User] = {}
    for spec in DEMO_USERS:
        first, _, last = spec.name.partition(" ")
        user, _ = User.objects.update_or_create(
            username=spec.username,
            defaults={
                "name": spec.name,
                "first_name": first,
                "last_name": last,
                "email": f"{spec.username}@funnel-demo.example",
                "role": spec.role,
                "is_staff": spec.role == User.Role.ADMIN,
                "is_superuser": spec.role == User.Role.ADMIN,
                "is_active": True,
                "accepts_leads": spec.role == User.Role.REP,
                "function": spec.function,
                "level": spec.level,
                "skills": list(spec.skills),
                "routing_shares": spec.shares,
                "password": password,
            },
        )
        users[spec.username] = user
    for team_name, manager_name in DEMO_TEAMS.items():
        team, _ = Team.objects.update_or_create(name=team_name, defaults={"manager": users[manager_name]})
        members = [spec.username for spec in DEMO_USERS if spec.team == team_name]
        User.objects.filter(username__in=members).update(team=team)
    ctx.users = users
    ctx.rep_ids = [users[spec.username].pk for spec in DEMO_USERS if spec.role == User.Role.REP]
    ctx.counts["users"] = len(users)
    return len(users) + len(DEMO_TEAMS)


def print_logins(out: Output) -> None:
    """Print the demo logins as a table."""
    out("")
    out(f"  {'username':<10} {'role':<8} {'function':<8} {'team':<6} password")
    for spec in DEMO_USERS:
        out(f"  {spec.username:<10} {spec.role:<8} {spec.function or '-':<8} {spec.team or '-':<6} {DEMO_PASSWORD}")
