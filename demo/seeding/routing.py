"""Demo routing: territories, experience rules and SDR-only distribution, written through the assignment services."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from assignment.models import AssignmentRule, SlaPolicy, Territory
from assignment.services import (
    create_assignment_rule,
    create_sla_policy,
    create_territory,
    delete_assignment_rule,
    delete_sla_policy,
    delete_territory,
    update_assignment_rule,
)
from assignment.services.sla import handle_sla_breaches, stamp_first_touch, start_sla_clocks
from leads.models import Lead
from users.models import Team

if TYPE_CHECKING:
    from demo.seeding.context import SeedContext

# name → (countries, reps by username)
TERRITORIES = {
    "DACH": (["Germany", "Austria", "Switzerland"], ["rep4", "rep2"]),
    "Southern Europe": (["Italy", "Spain", "Portugal"], ["rep8", "rep6"]),
}

GRADE_A_RULE = "Grade A to senior SDRs"


def seed_routing(ctx: SeedContext) -> int:
    """Create the demo territories and rules: grade-A leads to senior SDRs first, then territories, then any SDR."""
    admin = ctx.users["admin"]
    # a re-seeding (--reset) replaces the demo's own rules and territories
    demo_rules = [GRADE_A_RULE, *(f"{name} territory" for name in TERRITORIES)]
    for rule in AssignmentRule.objects.filter(name__in=demo_rules):
        delete_assignment_rule(rule, by=admin)
    for territory in Territory.objects.filter(name__in=TERRITORIES):
        delete_territory(territory, by=admin)
    territories = {
        name: create_territory(
            by=admin, name=name, countries=countries, reps=[ctx.users[username] for username in usernames]
        )
        for name, (countries, usernames) in TERRITORIES.items()
    }
    create_assignment_rule(
        by=admin,
        order=5,
        name=GRADE_A_RULE,
        grades=["A"],
        rep_levels=["senior"],
        rep_functions=["sdr"],
        fall_through=True,
    )
    for order, territory in enumerate(territories.values(), start=10):
        create_assignment_rule(
            by=admin,
            order=order,
            name=f"{territory.name} territory",
            target_territory=territory,
            rep_functions=["sdr"],
            fall_through=True,
        )
    policies = _seed_sla_policies(admin)
    # The catch-all rule every installation starts with: SDRs work the leads, AEs take the deals at conversion; a
    # lead nobody touched within two business hours goes to the next SDR.
    first_policy = next(iter(policies), None)
    for rule in AssignmentRule.objects.filter(target_user=None, target_team=None, target_territory=None, grades=[]):
        data = {"rep_functions": ["sdr"], "sla_policy": first_policy, "reassign_on_breach": first_policy is not None}
        update_assignment_rule(rule, by=admin, data=data)
    return len(territories) + 1 + len(territories) + len(policies)


SLA_POLICY_NAME = "Two business hours ({team})"
SLA_BREACHED_LEADS = 6
SLA_TIMED_LEADS = 60


def _seed_sla_policies(admin) -> list[SlaPolicy]:
    """One first-touch policy per team: two business hours, 9 to 5 on weekdays in the team manager's zone."""
    for policy in SlaPolicy.objects.filter(name__startswith="Two business hours ("):
        delete_sla_policy(policy, by=admin)
    return [
        create_sla_policy(
            by=admin,
            name=SLA_POLICY_NAME.format(team=team.name),
            target_minutes=120,
            time_zone=team.manager.time_zone if team.manager else "UTC",
            team=team,
        )
        for team in Team.objects.select_related("manager").order_by("pk")
    ]


def seed_sla(ctx: SeedContext) -> int:
    """Time some open leads' first touch: most touched in time or late, a few breached and reassigned by the rule."""
    rule = AssignmentRule.objects.filter(sla_policy__isnull=False, reassign_on_breach=True).first()
    leads = list(
        Lead.objects.open()
        .filter(owner__team__sla_policies__isnull=False, owner__role="rep", owner__function="sdr")
        .order_by("pk")
        .values_list("pk", flat=True)[: SLA_TIMED_LEADS + SLA_BREACHED_LEADS]
    )
    if rule is None or not leads:
        return 0
    now = timezone.now()
    for index, lead_id in enumerate(leads[SLA_BREACHED_LEADS:]):
        assigned = now - timedelta(days=1 + index % 35, hours=index % 5)
        start_sla_clocks([lead_id], now=assigned, rule=rule)
        stamp_first_touch([lead_id], at=assigned + timedelta(minutes=[10, 25, 45, 90, 150, 300][index % 6]))
    start_sla_clocks(leads[:SLA_BREACHED_LEADS], now=now - timedelta(days=3), rule=rule)
    return handle_sla_breaches(now=now) + len(leads) - SLA_BREACHED_LEADS
