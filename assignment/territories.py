"""Territories as data: which leads a territory holds, decided in Python from a lead's facts (no queries here).

See `assignment.models.Territory` for the rule. `CompiledTerritory` folds a territory's lists once, so routing a
batch of leads tests each lead with set lookups and a few string comparisons.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_RANGE = re.compile(r"^\s*([A-Za-z0-9 ]+?)\s*(?:-\s*([A-Za-z0-9 ]+?)\s*)?$")


def normalize_postal_code(value: str | None) -> str:
    """Upper-case, without spaces: "sw1a 1aa" → "SW1A1AA"."""
    return "".join((value or "").split()).upper()


def parse_postal_range(text: str) -> tuple[str, str] | None:
    """Return the (from, to) bounds of "from-to" or a single code, normalised; None when it is not one."""
    match = _RANGE.match(text or "")
    if not match:
        return None
    low = normalize_postal_code(match.group(1))
    high = normalize_postal_code(match.group(2) or match.group(1))
    if not low or not high or len(low) != len(high):
        return None
    if low.isdigit() != high.isdigit() or low > high:
        return None
    return low, high


def postal_in_range(code: str, bounds: tuple[str, str]) -> bool:
    """True when `code`'s first characters (as many as the bounds have) lie between the bounds."""
    low, high = bounds
    head = normalize_postal_code(code)[: len(low)]
    if len(head) < len(low):
        return False
    if low.isdigit():
        return head.isdigit() and int(low) <= int(head) <= int(high)
    return low <= head <= high


def _folded(values: Iterable[str]) -> frozenset[str]:
    return frozenset(value.strip().casefold() for value in values if value and value.strip())


@dataclass(frozen=True)
class CompiledTerritory:
    pk: int
    countries: frozenset[str]
    regions: frozenset[str]
    ranges: tuple[tuple[str, str], ...]
    account_ids: frozenset[int]
    rep_ids: frozenset[int]

    @classmethod
    def build(cls, territory, *, account_ids: Iterable[int], rep_ids: Iterable[int]) -> CompiledTerritory:
        ranges = tuple(bounds for text in territory.postal_ranges or [] if (bounds := parse_postal_range(text)))
        return cls(
            pk=territory.pk,
            countries=_folded(territory.countries or []),
            regions=_folded(territory.regions or []),
            ranges=ranges,
            account_ids=frozenset(account_ids),
            rep_ids=frozenset(rep_ids),
        )

    def holds(self, *, country: str, state: str, postal_code: str, account_id: int | None) -> bool:
        """True when a lead with these facts falls in the territory."""
        if account_id is not None and account_id in self.account_ids:
            return True
        if not self.countries or (country or "").strip().casefold() not in self.countries:
            return False
        if self.regions and (state or "").strip().casefold() not in self.regions:
            return False
        return not self.ranges or any(postal_in_range(postal_code, bounds) for bounds in self.ranges)
