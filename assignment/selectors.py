"""Reads of assignment: the unassigned view and whom to tell about leads nobody could take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from leads.models import Lead

if TYPE_CHECKING:
    from users.models import User


from collections import defaultdict

from django.db.models import QuerySet

from activities.models import Event
from assignment.models import AssignmentRule, Territory
from assignment.territories import CompiledTerritory
from users.models import User


def list_unassigned_leads(user: User) -> QuerySet[Lead]:
    """Open leads without an owner that `user` may see, oldest first: the managers' "unassigned" view."""
    return Lead.objects.visible_to(user).open().unassigned().order_by("created_at", "id")


def list_assignment_failure_recipients(lead_ids: list[int]) -> list[tuple[User, list[Lead]]]:
    """Pair each manager to tell with the still-unowned leads nobody could take.

    A rule's team manager (its target team's, or its target user's team's) hears about its leads;
    leads of rules targeting all reps, or matching no rule, go to every active manager (admins when
    there is none).
    """
    leads = list(Lead.objects.open().unassigned().filter(pk__in=lead_ids).order_by("pk"))
    if not leads:
        return []
    rule_of = dict(
        Event.objects.filter(kind="assignment_failed", lead_id__in=[lead.pk for lead in leads])
        .order_by("lead_id", "created_at", "id")
        .values_list("lead_id", "data__rule")
    )
    rules = AssignmentRule.objects.select_related("target_team__manager", "target_user__team__manager").in_bulk(
        [pk for pk in rule_of.values() if pk]
    )
    everyone: list[User] | None = None
    by_recipient: dict[int, tuple[User, list[Lead]]] = {}
    grouped: dict[int, list[Lead]] = defaultdict(list)
    for lead in leads:
        rule = rules.get(rule_of.get(lead.pk))
        manager = None
        if rule is not None and rule.target_team_id:
            manager = rule.target_team.manager
        elif rule is not None and rule.target_user_id and rule.target_user.team_id:
            manager = rule.target_user.team.manager
        if manager is not None and manager.is_active and manager.email:
            recipients = [manager]
        else:
            if everyone is None:
                everyone = list(User.objects.filter(is_active=True, role=User.Role.MANAGER).exclude(email=""))
                everyone = everyone or list(
                    User.objects.filter(Q(role=User.Role.ADMIN) | Q(is_superuser=True), is_active=True).exclude(
                        email=""
                    )
                )
            recipients = everyone
        for recipient in recipients:
            by_recipient.setdefault(recipient.pk, (recipient, grouped[recipient.pk]))
            grouped[recipient.pk].append(lead)
    return list(by_recipient.values())


def load_territories(rules) -> dict[int, CompiledTerritory]:
    """Compile the territories `rules` target: three queries when any rule targets one, else none."""
    ids = {rule.target_territory_id for rule in rules if rule.target_territory_id}
    return compile_territories(Territory.objects.filter(pk__in=ids, active=True)) if ids else {}


def compile_territories(territories) -> dict[int, CompiledTerritory]:
    territories = list(territories)
    ids = [territory.pk for territory in territories]
    accounts, reps = defaultdict(list), defaultdict(list)
    for territory_id, account_id in Territory.named_accounts.through.objects.filter(territory_id__in=ids).values_list(
        "territory_id", "account_id"
    ):
        accounts[territory_id].append(account_id)
    for territory_id, user_id in Territory.reps.through.objects.filter(territory_id__in=ids).values_list(
        "territory_id", "user_id"
    ):
        reps[territory_id].append(user_id)
    return {t.pk: CompiledTerritory.build(t, account_ids=accounts[t.pk], rep_ids=reps[t.pk]) for t in territories}


@dataclass(frozen=True)
class SlaClock:
    """A lead's first-touch clock as the lead page shows it; `minutes` are business minutes left (or over, < 0)."""

    state: str  # running | at_risk | breached | met | missed
    due_at: datetime
    minutes: int
    policy: str
    touched_at: datetime | None = None


def get_sla_clock(lead_id: int, *, now: datetime | None = None) -> SlaClock | None:
    """The lead's first-touch clock (one query), or None when no policy times it."""
    from assignment.business_hours import business_minutes_between
    from assignment.models import LeadSla

    clock = LeadSla.objects.select_related("policy").filter(lead_id=lead_id).first()
    if clock is None:
        return None
    if clock.first_touch_at is not None:
        state = "met" if clock.first_touch_at <= clock.due_at else "missed"
        minutes = round(business_minutes_between(clock.first_touch_at, clock.due_at, clock.policy.calendar))
        return SlaClock(state, clock.due_at, minutes, clock.policy.name, clock.first_touch_at)
    now = now or timezone.now()
    minutes = round(business_minutes_between(now, clock.due_at, clock.policy.calendar))
    if clock.due_at <= now:
        state = "breached"
    elif now >= clock.at_risk_at:
        state = "at_risk"
    else:
        state = "running"
    return SlaClock(state, clock.due_at, minutes, clock.policy.name)
