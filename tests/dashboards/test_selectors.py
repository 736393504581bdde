"""Every dashboard number equals a naive Python computation over the same generated rows."""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Account
from dashboards import selectors
from dashboards.filters import FunnelFilters
from leads.models import Lead, LeadStatusChange
from opportunities.models import Opportunity, Stage
from tests.factories import AccountFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

BASE = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SOURCES = ["web", "webinar", "referral"]
OPEN_STATUSES = ["new", "working", "nurturing", "qualified"]
STATUS_PATH = ["new", "working", "nurturing", "qualified", "unqualified"]


@pytest.fixture
def org(rep, other_rep, manager, admin):
    """East (manager1: rep1, rep3) and West (manager2: rep2); owners index into this list, None = unassigned."""
    west = TeamFactory(name="West", manager=UserFactory(username="manager2", role="manager"))
    other_rep.team = west
    other_rep.save(update_fields=["team"])
    rep3 = UserFactory(username="rep3", role="rep", team=rep.team)
    stages = {s.name: s for s in Stage.objects.all()}
    return {
        "owners": [rep, other_rep, manager, rep3, None],
        "viewers": {"manager": manager, "rep": rep, "admin": admin},
        "east": rep.team,
        "west": west,
        "stages": [stages["Prospecting"], stages["Negotiation"], stages["Closed Won"], stages["Closed Lost"]],
    }


hours = st.integers(min_value=1, max_value=24 * 40)
lead_rows = st.lists(
    st.fixed_dictionaries(
        {
            "owner": st.integers(0, 4),
            "source": st.sampled_from(SOURCES),
            "day": st.integers(0, 59),
            "mql": st.none() | hours,
            "sql": st.none() | hours,
            "converted": st.none() | hours,
            "deal": st.none() | st.tuples(st.integers(0, 3), st.integers(0, 500_000)),
            "status": st.sampled_from([*OPEN_STATUSES, "unqualified"]),
            "changes": st.lists(st.tuples(st.sampled_from(STATUS_PATH), hours), max_size=3),
            "idle": st.none() | st.integers(0, 90),
        }
    ),
    max_size=18,
)
deal_rows = st.lists(
    st.fixed_dictionaries(
        {
            "owner": st.integers(0, 4),
            "stage": st.integers(0, 3),
            "amount": st.none() | st.integers(0, 900_000),
            "probability": st.integers(0, 100),
            "close_month": st.none() | st.integers(3, 8),
            "closed_day": st.integers(0, 70),
            "lost_reason": st.sampled_from(["", "Price", "=HYPERLINK()", "Timing"]),
            "source": st.sampled_from([*SOURCES, ""]),
        }
    ),
    max_size=8,
)
views = st.fixed_dictionaries(
    {
        "viewer": st.sampled_from(["manager", "rep", "admin"]),
        "start": st.integers(0, 40),
        "length": st.integers(0, 40),
        "team": st.sampled_from([None, "east", "west"]),
        "owner": st.none() | st.integers(0, 3),
        "source": st.sampled_from(["", *SOURCES]),
        "idle_days": st.integers(1, 60),
    }
)


def _cents(cents: int | None) -> Decimal | None:
    return None if cents is None else Decimal(cents) / 100


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _days(td: timedelta | None, n: int = 1) -> float | None:
    return None if td is None or not n else round(td.total_seconds() / 86400 / n, 1)


def _build(org, leads, deals):
    Lead.objects.all().delete()
    Opportunity.objects.all().delete()
    Account.objects.all().delete()
    account = AccountFactory()
    owners, stages = org["owners"], org["stages"]
    made_leads, made_deals = [], []
    for i, spec in enumerate(deals):
        closed = stages[spec["stage"]].is_closed
        opp = Opportunity.objects.create(
            name=f"Deal {i}",
            account=account,
            owner=owners[spec["owner"]],
            stage=stages[spec["stage"]],
            amount=_cents(spec["amount"]),
            probability=spec["probability"],
            close_date=date(2026, spec["close_month"], 15) if spec["close_month"] else None,
            closed_at=BASE + timedelta(days=spec["closed_day"]) if closed else None,
            lost_reason=spec["lost_reason"],
            lead_source=spec["source"],
        )
        made_deals.append(opp)
    for i, spec in enumerate(leads):
        created = BASE + timedelta(days=spec["day"], minutes=i)
        mql_at = created + timedelta(hours=spec["mql"]) if spec["mql"] else None
        qualified_at = created + timedelta(hours=spec["sql"]) if spec["sql"] else None
        converted_at = created + timedelta(hours=spec["converted"]) if spec["converted"] else None
        opp = None
        if converted_at and spec["deal"]:
            stage, cents = spec["deal"]
            opp = Opportunity.objects.create(
                name=f"Lead deal {i}",
                account=account,
                owner=owners[spec["owner"]],
                stage=stages[stage],
                amount=_cents(cents),
                probability=stages[stage].probability,
            )
        last_activity = NOW - timedelta(days=spec["idle"], hours=3) if spec["idle"] is not None else None
        lead = Lead.objects.create(
            last_name=f"Lead {i}",
            owner=owners[spec["owner"]],
            source=spec["source"],
            status="converted" if converted_at else spec["status"],
            mql_at=mql_at,
            qualified_at=qualified_at,
            converted_at=converted_at,
            converted_account=account if converted_at else None,
            converted_opportunity=opp,
            last_activity_at=last_activity,
        )
        Lead.objects.filter(pk=lead.pk).update(created_at=created)
        lead.created_at = created
        at = created
        changes = []
        for to_status, gap in spec["changes"]:
            at = at + timedelta(hours=gap)
            changes.append(LeadStatusChange(lead=lead, to_status=to_status, changed_at=at))
        LeadStatusChange.objects.bulk_create(changes)
        lead.change_rows = changes
        made_leads.append(lead)
    return made_leads, made_deals


def _visible(viewer, owner, org) -> bool:
    if viewer.is_admin:
        return True
    if viewer.is_manager:
        return owner is None or owner == viewer or (owner.team_id is not None and owner.team.manager_id == viewer.pk)
    return owner == viewer


def _in_scope(record_owner, source, f: FunnelFilters) -> bool:
    if f.team is not None and (record_owner is None or record_owner.team_id != f.team.pk):
        return False
    if f.owner is not None and record_owner != f.owner:
        return False
    return not (f.source and source != f.source)


def _naive_funnel(leads, viewer, f, org):
    cohort = [
        lead
        for lead in leads
        if _visible(viewer, lead.owner, org)
        and f.start <= lead.created_at < f.end
        and _in_scope(lead.owner, lead.source, f)
    ]

    def won(lead):
        return lead.converted_opportunity is not None and lead.converted_opportunity.stage.is_won

    def row(group):
        n = len(group)
        converted = sum(1 for x in group if x.converted_at)
        return {
            "leads": n,
            "mqls": sum(1 for x in group if x.mql_at),
            "sqls": sum(1 for x in group if x.qualified_at),
            "converted": converted,
            "won": sum(1 for x in group if won(x)),
            "conversion_rate": round(converted / n, 4) if n else 0.0,
            "won_amount": _money(sum((x.converted_opportunity.amount or 0 for x in group if won(x)), Decimal(0))),
        }

    by_source, by_owner = defaultdict(list), defaultdict(list)
    for lead in cohort:
        by_source[lead.source].append(lead)
        by_owner[lead.owner_id].append(lead)
    spans = {}
    for key, _label, end, start in selectors.VELOCITY_STEPS:
        spans[key] = [
            getattr(x, end) - getattr(x, start) for x in cohort if getattr(x, end) and getattr(x, start) is not None
        ]
    return cohort, {
        "counts": [row(cohort)[k] for k in ("leads", "mqls", "sqls", "converted", "won")],
        "by_source": {s: row(g) for s, g in by_source.items()},
        "by_owner": {o: row(g) for o, g in by_owner.items()},
        "avg": {k: _days(sum(v, timedelta()), len(v)) for k, v in spans.items()},
        "median": {k: _days(statistics.median(v)) if v else None for k, v in spans.items()},
    }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(leads=lead_rows, deals=deal_rows, view=views)
def test_every_dashboard_number_equals_a_naive_computation_over_the_same_rows(org, leads, deals, view):
    # given
    made_leads, _made_deals = _build(org, leads, deals)
    viewer = org["viewers"][view["viewer"]]
    first = (BASE + timedelta(days=view["start"])).date()
    team = org[view["team"]] if view["team"] else None
    owner = org["owners"][view["owner"]] if view["owner"] is not None else None
    if owner is not None and not _visible(viewer, owner, org) and owner != viewer:
        owner = None  # the form refuses owners the viewer can't pick; that path is tested separately
    f = FunnelFilters(
        created_after=first,
        created_before=first + timedelta(days=view["length"]),
        team=team,
        owner=owner,
        source=view["source"],
        idle_days=view["idle_days"],
    )
    cohort, expected = _naive_funnel(made_leads, viewer, f, org)

    # when
    funnel = selectors.get_funnel(viewer, f)
    medians = selectors.get_velocity_medians(viewer, f)

    # then: the funnel, by source and by owner
    assert [s["count"] for s in funnel["stages"]] == expected["counts"]
    fields = ["leads", "mqls", "sqls", "converted", "won", "conversion_rate", "won_amount"]
    assert {r["source"]: {k: r[k] for k in fields} for r in funnel["by_source"]} == expected["by_source"]
    assert {r["owner"]: {k: r[k] for k in fields} for r in funnel["by_owner"]} == expected["by_owner"]
    assert funnel["avg_days_to_convert"] == expected["avg"]["lead_to_converted"]
    assert {v["step"]: v["avg_days"] for v in funnel["velocity"]} == expected["avg"]
    assert medians == expected["median"]

    # then: time in status
    stays = defaultdict(list)
    for lead in cohort:
        rows = sorted(lead.change_rows, key=lambda c: (c.changed_at, c.pk))
        for this, following in itertools.pairwise(rows):
            stays[this.to_status].append((following.changed_at - this.changed_at).total_seconds())
    assert {
        r["status"]: (r["stays"], r["avg_days"], r["median_days"]) for r in selectors.get_time_in_status(viewer, f)
    } == {
        s: (len(v), round(sum(v) / len(v) / 86400, 1), round(statistics.median(v) / 86400, 1)) for s, v in stays.items()
    }

    # then: the weekly trend
    trend = {r["week"]: (r["created"], r["converted"]) for r in selectors.get_trend(viewer, f)}
    created, converted = defaultdict(int), defaultdict(int)
    for lead in cohort:
        day = lead.created_at.date()
        created[(day - timedelta(days=day.weekday())).isoformat()] += 1
    for lead in made_leads:
        if (
            lead.converted_at
            and _visible(viewer, lead.owner, org)
            and _in_scope(lead.owner, lead.source, f)
            and f.start <= lead.converted_at < f.end
        ):
            day = lead.converted_at.date()
            converted[(day - timedelta(days=day.weekday())).isoformat()] += 1
    assert {w: c for w, c in trend.items() if c != (0, 0)} == {
        w: (created[w], converted[w]) for w in set(created) | set(converted)
    }

    # then: the open pipeline (no date range) and the deals closed in the range
    deals_seen = [
        d
        for d in Opportunity.objects.select_related("stage", "owner")
        if _visible(viewer, d.owner, org) and _in_scope(d.owner, d.lead_source, f)
    ]
    by_stage = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    for d in deals_seen:
        if not d.stage.is_closed:
            bucket = by_stage[d.stage_id]
            bucket[0] += 1
            bucket[1] += d.amount or 0
            bucket[2] += (d.amount or 0) * d.probability
    assert {
        r["stage"]: (r["count"], r["amount"], r["weighted_amount"])
        for r in selectors.get_pipeline(viewer, f)["by_stage"]
    } == {s: (c, _money(a), _money(w / 100)) for s, (c, a, w) in by_stage.items()}
    closed = selectors.get_closed_deals(viewer, f)
    in_range = [d for d in deals_seen if d.stage.is_closed and d.closed_at and f.start <= d.closed_at < f.end]
    assert closed["won"]["count"] == sum(1 for d in in_range if d.stage.is_won)
    assert closed["lost"]["amount"] == _money(sum((d.amount or 0 for d in in_range if not d.stage.is_won), Decimal(0)))
    assert sum(r["count"] for r in closed["lost_reasons"]) == closed["lost"]["count"]

    # then: unattended open leads by owner (no date range)
    cutoff = NOW - timedelta(days=f.idle_days)
    idle = defaultdict(int)
    for lead in made_leads:
        if (
            lead.status in OPEN_STATUSES
            and _visible(viewer, lead.owner, org)
            and _in_scope(lead.owner, lead.source, f)
            and (lead.last_activity_at or lead.created_at) < cutoff
        ):
            idle[lead.owner_id] += 1
    assert {r["owner"]: r["leads"] for r in selectors.get_unattended(viewer, f, now=NOW)} == dict(idle)
