"""Demo routing: territories, experience rules and SDR-only distribution, written through the assignment services."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assignment.models import AssignmentRule, Territory
from assignment.services import (
    create_assignment_rule,
    create_territory,
    delete_assignment_rule,
    delete_territory,
    update_assignment_rule,
)

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
    # The catch-all rule every installation starts with: SDRs work the leads, AEs take the deals at conversion.
    for rule in AssignmentRule.objects.filter(target_user=None, target_team=None, target_territory=None, grades=[]):
        update_assignment_rule(rule, by=admin, data={"rep_functions": ["sdr"]})
    return len(territories) + 1 + len(territories)
