"""The SDR → AE hand-off: who takes over the deal when a sales development rep converts a lead.

SDRs work leads; account executives (AEs) work deals. When the lead's owner (or, for an unowned lead, the
converting user) is an SDR and nobody chose an owner, conversion asks `choose_account_executive` who owns the new
opportunity and the new account and contact:

1. the existing account's owner, when that owner is an active AE (account-based selling: one AE per customer);
2. else an AE of the territory the lead falls in (when territories are configured);
3. else the AE of the SDR's own team with the fewest open opportunities;
4. else any active AE with the fewest open opportunities (ties go to the lower id, so the choice is stable).

With no active AE at all, the SDR keeps the deal. Either way the SDR stays credited as `sourced_by`.
No writes here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q

from assignment.models import Territory
from assignment.selectors import compile_territories
from opportunities.models import Opportunity
from users.models import User


def is_sdr(user: User | None) -> bool:
    return user is not None and user.function == User.Function.SDR


def _active_aes() -> Q:
    return Q(is_active=True, function=User.Function.AE)


def _least_loaded(candidates: Iterable[User]) -> User | None:
    """The candidate with the fewest open opportunities, ties to the lower id: one GROUP BY."""
    candidates = list(candidates)
    if not candidates:
        return None
    load = dict(
        Opportunity.objects.filter(owner__in=candidates, stage__is_closed=False)
        .order_by()
        .values_list("owner_id")
        .annotate(n=Count("pk"))
    )
    return min(candidates, key=lambda user: (load.get(user.pk, 0), user.pk))


def choose_account_executive(*, sdr: User, account_owner: User | None = None, territory_aes=()) -> User | None:
    """Return the AE who takes `sdr`'s converted deal, or None when the installation has no active AE.

    `account_owner`: the owner of the existing account the lead converts into, if any. `territory_aes`: the AEs of
    the territory the lead falls in, if territories route it.
    """
    if account_owner is not None and account_owner.is_active and account_owner.function == User.Function.AE:
        return account_owner
    if chosen := _least_loaded(user for user in territory_aes if user.is_active and user.function == "ae"):
        return chosen
    if sdr.team_id and (chosen := _least_loaded(User.objects.filter(_active_aes(), team_id=sdr.team_id))):
        return chosen
    return _least_loaded(User.objects.filter(_active_aes()))


def territory_account_executives(lead) -> list[User]:
    """The active AEs of the active territories `lead` falls in (three queries for the territories, one for users)."""
    territories = compile_territories(Territory.objects.filter(active=True))
    rep_ids = {
        rep_id
        for territory in territories.values()
        if territory.holds(
            country=lead.country,
            state=lead.state,
            postal_code=lead.postal_code,
            account_id=lead.matched_account_id,
        )
        for rep_id in territory.rep_ids
    }
    if not rep_ids:
        return []
    return list(User.objects.filter(_active_aes(), pk__in=rep_ids))
