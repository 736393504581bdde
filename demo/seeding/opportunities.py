"""Demo opportunities over the accounts: every stage represented, a stage history, and the contacts' roles."""

from __future__ import annotations

from typing import TYPE_CHECKING

from demo.seeding.accounts import CONTACT_ROLES
from demo.seeding.pools import weighted
from demo.seeding.writer import CHUNK_SIZE, DAY, Table, flush
from opportunities.models import Opportunity, OpportunityContactRole, OpportunityStageChange, Stage

if TYPE_CHECKING:
    from demo.seeding.context import SeedContext

LOST_REASONS = ["Price", "Chose a competitor", "No decision", "Timing", "Missing feature", "Budget cut"]
NEXT_STEPS = [
    "Send proposal", "Schedule demo", "Security review", "Call the economic buyer", "Legal review of the MSA",
    "Pricing call", "Pilot kick-off", "Reference call",
]  # fmt: skip
PRODUCTS = [
    "Platform licence", "Annual subscription", "Enterprise upgrade", "Onboarding services", "Analytics add-on",
    "Pilot", "Expansion", "Renewal", "Support plan", "Team plan",
]  # fmt: skip
OPPORTUNITY_FIELDS = [
    "id", "name", "account", "amount", "close_date", "stage", "probability", "forecast_category", "lead_source",
    "next_step", "lost_reason", "closed_at", "description", "owner", "created_at", "updated_at",
]  # fmt: skip
CONTACT_ROLE_FIELDS = ["id", "opportunity", "contact", "role", "is_primary"]
STAGE_CHANGE_FIELDS = ["id", "opportunity", "from_stage", "to_stage", "amount", "changed_by", "changed_at"]


def seed_opportunities(ctx: SeedContext) -> int:
    """Write the opportunities with their stage changes and contact roles; keep them on `ctx` for conversions."""
    r = ctx.random.random
    ts = ctx.clock.ts
    now = ctx.now
    stages = list(Stage.objects.order_by("order", "id"))
    open_stages = [stage for stage in stages if not stage.is_closed]
    won_stages = [stage for stage in stages if stage.is_won]
    lost_stages = [stage for stage in stages if stage.is_closed and not stage.is_won]
    # most deals are open and early; a fifth won, a fifth lost
    weights = [(stage, max(1, 18 - 3 * position)) for position, stage in enumerate(open_stages)]
    weights += [(stage, max(1, 20 // len(won_stages))) for stage in won_stages]
    weights += [(stage, max(1, 20 // len(lost_stages))) for stage in lost_stages]
    stage_table = weighted(weights)
    n_opportunities = max(20, ctx.n_leads // 10)
    opportunity_table = Table(Opportunity, OPPORTUNITY_FIELDS)
    role_table = Table(OpportunityContactRole, CONTACT_ROLE_FIELDS)
    change_table = Table(OpportunityStageChange, STAGE_CHANGE_FIELDS)
    opportunity_id = opportunity_table.next_id()
    role_id = role_table.next_id()
    change_id = change_table.next_id()
    ctx.opportunities = []
    opportunities, roles, changes = [], [], []
    for index in range(n_opportunities):
        # every stage appears at least once, whatever the size
        stage = stages[index] if index < len(stages) else stage_table[int(r() * len(stage_table))]
        account_index = int(r() * len(ctx.accounts))
        account = ctx.accounts[account_index]
        owner = account[8]
        amount = f"{int(3000 * (130 ** r())) // 100 * 100}.00"
        if stage.is_won:
            path = [*open_stages, stage]
        elif stage.is_closed:
            path = [*open_stages[: 1 + int(r() * len(open_stages))], stage]
        else:
            path = open_stages[: open_stages.index(stage) + 1]
        created = now - 2 * DAY - int(r() * 330 * DAY)
        span = (30 + int(r() * 150)) * DAY if stage.is_closed else int((now - created) * (0.2 + 0.8 * r()))
        end = min(now - 3600, created + span)
        times = [created, *sorted(created + 1 + int(r() * (end - created)) for _ in path[1:-1])]
        if len(path) > 1:
            times.append(end)
        previous = None
        for step, at in zip(path, times, strict=True):
            changes.append((change_id, opportunity_id, previous, step.pk, amount, owner, ts(at)))
            change_id += 1
            previous = step.pk
        last = times[-1]
        closed_at = last if stage.is_closed else None
        close_date = ctx.clock.day(last) if stage.is_closed else ctx.clock.day(now + int((r() * 170 - 10) * DAY))
        product = PRODUCTS[int(r() * len(PRODUCTS))]
        source = ctx.source_table[int(r() * len(ctx.source_table))]
        next_step = "" if stage.is_closed else NEXT_STEPS[int(r() * len(NEXT_STEPS))]
        lost_reason = LOST_REASONS[int(r() * len(LOST_REASONS))] if stage.is_closed and not stage.is_won else ""
        opportunities.append(
            (
                opportunity_id, f"{account[1]} - {product}", account[0], amount, close_date, stage.pk,
                stage.probability, stage.forecast_category, source, next_step, lost_reason, ts(closed_at), "",
                owner, ts(created), ts(last),
            )
        )  # fmt: skip
        people = ctx.account_contacts[account_index]
        primary = people[int(r() * len(people))]
        roles.append((role_id, opportunity_id, primary[0], "Decision Maker", True))
        role_id += 1
        for person in people:
            if person is not primary and r() < 0.3:
                roles.append((role_id, opportunity_id, person[0], CONTACT_ROLES[1 + int(r() * 5)], False))
                role_id += 1
        ctx.opportunities.append((opportunity_id, account_index, created, owner))
        opportunity_id += 1
        if len(changes) >= CHUNK_SIZE:
            flush((opportunity_table, opportunities), (role_table, roles), (change_table, changes))
    flush((opportunity_table, opportunities), (role_table, roles), (change_table, changes))
    for table in (opportunity_table, role_table, change_table):
        table.reset_sequence()
    ctx.counts.update(opportunities=opportunity_table.rows, stage_changes=change_table.rows)
    return opportunity_table.rows + role_table.rows + change_table.rows
