"""The funnel rollup (dashboards.funnel_rollup): the database keeps it equal to a recount of the leads, whoever writes."""

from __future__ import annotations

import threading
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from unittest.mock import patch

import pytest
import time_machine
from django.db import close_old_connections, connection, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from activities.services import log_activity
from conversion.services import convert_lead
from dashboards import funnel_rollup
from dashboards.filters import FunnelFilters
from dashboards.models import FunnelDelta, UnattendedDelta
from dashboards.rollups import rebuild_rollups
from dashboards.selectors.unattended import get_unattended
from leads.models import Lead
from leads.services.capture import change_lead_status, create_lead, delete_lead, update_lead, upsert_leads
from tests.factories import LeadFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

MONDAY = datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
SOURCES = ["web", "webinar", "referral"]


def _recount() -> dict[tuple, tuple]:
    """What the funnel rollup must hold, counted in Python from the leads: (day, owner, source) → counters."""
    counts: dict[tuple, list] = defaultdict(lambda: [0] * len(funnel_rollup.COUNTERS))
    for lead in Lead.objects.all():
        row = counts[(timezone.localtime(lead.created_at).date(), lead.owner_id, lead.source)]
        values = [1, lead.mql_at is not None, lead.qualified_at is not None, lead.converted_at is not None]
        for _prefix, end, start in funnel_rollup.STEPS:
            first, last = getattr(lead, start), getattr(lead, end)
            both = first is not None and last is not None
            values += [both, (last - first).total_seconds() if both else 0.0]
        for i, value in enumerate(values):
            row[i] += value
    return {key: tuple(round(v, 3) for v in values) for key, values in counts.items()}


def _recount_idle() -> dict[tuple, tuple]:
    """What the unattended rollup must hold: open leads per (day idle since, owner, source)."""
    counts: dict[tuple, int] = defaultdict(int)
    for lead in Lead.objects.open():
        counts[(timezone.localtime(lead.last_activity_at or lead.created_at).date(), lead.owner_id, lead.source)] += 1
    return {key: (n,) for key, n in counts.items()}


def _kept(rollup=funnel_rollup.FUNNEL) -> dict[tuple, tuple]:
    """What a rollup holds: the day rows plus the deltas not folded yet, buckets with no lead left out."""
    names = [name for name, _ in rollup.counters]
    counts: dict[tuple, list] = defaultdict(lambda: [0] * len(names))
    for model in (rollup.day_table, rollup.delta_table):
        for row in model.objects.values("day", "owner_id", "source", *names):
            bucket = counts[(row["day"], row["owner_id"], row["source"])]
            for i, name in enumerate(names):
                bucket[i] += row[name]
    return {key: tuple(round(v, 3) for v in values) for key, values in counts.items() if values[0]}


def _equal_recounts() -> bool:
    return _kept() == _recount() and _kept(funnel_rollup.UNATTENDED) == _recount_idle()


def test_a_new_lead_is_counted_by_day_owner_and_source_and_a_fold_keeps_the_counts(rep):
    with time_machine.travel(MONDAY, tick=False):
        create_lead(by=rep, first_name="Ada", last_name="Lovelace", company="Analytical", source="web")
        create_lead(by=rep, first_name="Alan", last_name="Turing", company="Bombe", source="web")
    assert FunnelDelta.objects.count() == 2  # appended, not yet folded
    assert _kept() == {(date(2026, 3, 2), rep.pk, "web"): (2,) + (0,) * 11}
    assert funnel_rollup.fold_deltas() == 4  # two leads in each rollup: the funnel, and open leads idle since today
    assert FunnelDelta.objects.count() == 0
    assert _equal_recounts()


def test_an_update_that_moves_no_counter_appends_nothing(rep):
    lead = LeadFactory(owner=rep, source="web")
    funnel_rollup.fold_deltas()
    update_lead(lead, by=rep, data={"title": "CTO", "phone": "+1 555 0100"})
    Lead.objects.filter(pk=lead.pk).update(score=77)  # the scorer's set-based UPDATE
    assert FunnelDelta.objects.count() == 0
    assert UnattendedDelta.objects.count() == 0
    Lead.objects.filter(pk=lead.pk).update(last_activity_at=timezone.now() + timedelta(days=2))  # the timeline
    assert FunnelDelta.objects.count() == 0
    assert UnattendedDelta.objects.count() == 2  # out of its creation day, into the activity's
    assert _equal_recounts()


def test_a_new_owner_or_source_moves_the_lead_between_buckets(rep, other_rep, admin):
    lead = LeadFactory(owner=rep, source="web")
    update_lead(lead, by=admin, data={"owner": other_rep, "source": "referral"})
    day = timezone.localtime(lead.created_at).date()
    assert _kept() == {(day, other_rep.pk, "referral"): (1,) + (0,) * 11}


def test_days_are_in_the_installations_zone_and_a_rebuild_rewrites_them(rep):
    with time_machine.travel(MONDAY, tick=False):  # 22:30 UTC on Monday is Tuesday in Tokyo
        LeadFactory(owner=rep, source="web")
    assert set(_kept()) == {(date(2026, 3, 2), rep.pk, "web")}
    with override_settings(TIME_ZONE="Asia/Tokyo"), timezone.override("Asia/Tokyo"):
        rebuild_rollups()
        assert set(_kept()) == {(date(2026, 3, 3), rep.pk, "web")} == set(_recount())
        LeadFactory(owner=rep, source="web", created_at=MONDAY)
        assert _equal_recounts()
    rebuild_rollups()


def test_the_dashboard_reads_the_rollup_only_for_what_the_user_may_see(rep, other_rep):
    LeadFactory.create_batch(3, owner=rep, source="web")
    LeadFactory(owner=other_rep, source="web")
    filters = FunnelFilters(created_after=timezone.localdate() - timedelta(days=1), created_before=timezone.localdate())
    mine = funnel_rollup.funnel_rows(rep, filters)
    assert [(r["owner_id"], r["leads"]) for r in mine] == [(rep.pk, 3)]
    assert [(r["owner_id"], r["leads"]) for r in funnel_rollup.funnel_rows(other_rep, filters)] == [(other_rep.pk, 1)]
    assert funnel_rollup.funnel_rows(UserFactory(role="rep"), filters) == []


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_the_same_bucket_do_not_wait_for_each_other(rep):
    """Appending takes no lock a second writer waits on: a lead created for the same day, owner and source commits
    while another transaction that created one is still open (a counter row updated in place would block it)."""
    opened, release, errors = threading.Event(), threading.Event(), []

    def first_writer() -> None:
        try:
            with transaction.atomic():
                LeadFactory(owner=rep, source="web")
                opened.set()
                release.wait(10)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()

    thread = threading.Thread(target=first_writer)
    thread.start()
    try:
        assert opened.wait(10)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            LeadFactory(owner=rep, source="web")  # would raise LockNotAvailable after 2 s if it queued
    finally:
        release.set()
        thread.join(10)
    assert not errors
    assert _equal_recounts()


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["create", "update", "status", "mql", "convert", "delete", "upsert", "touch", "fold"]),
        st.integers(0, 1),  # which rep
        st.integers(0, 5),  # which lead
        st.integers(0, 9),  # which day
    ),
    max_size=20,
)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=OPERATIONS)
def test_after_any_sequence_of_writes_the_rollup_equals_a_recount(rep, other_rep, admin, steps):
    """Creating, reassigning, re-sourcing, qualifying, scoring to MQL in a set-based UPDATE, converting, deleting and
    bulk upserting leads and logging activity over ten days, folding at any point: both rollups always equal a
    recount, and a rebuild gives the same."""
    Lead.objects.all().delete()  # hypothesis runs every example in the same test database: start from none
    funnel_rollup.rebuild()
    reps = [rep, other_rep]
    for n, (operation, who, which, day) in enumerate(steps):
        with time_machine.travel(MONDAY + timedelta(days=day, hours=n), tick=False):
            leads = list(Lead.objects.filter(converted_at__isnull=True).order_by("pk"))
            lead = leads[which % len(leads)] if leads else None
            if operation == "create" or lead is None:
                create_lead(
                    by=admin, owner=reps[who], first_name="Step", last_name=str(n), company=f"Co {n}",
                    email=f"step{n}@example.com", source=SOURCES[(day + n) % 3],
                )  # fmt: skip
            elif operation == "update":
                update_lead(lead, by=admin, data={"owner": reps[who], "source": SOURCES[day % 3]})
            elif operation == "status":
                change_lead_status(lead, to="working", by=admin)
                Lead.objects.filter(pk=lead.pk).update(qualified_at=timezone.now())
            elif operation == "mql":  # as the scorer's set-based UPDATE does
                Lead.objects.filter(pk__in=[x.pk for x in leads[:which]], mql_at__isnull=True).update(
                    mql_at=timezone.now()
                )
            elif operation == "convert":
                convert_lead(lead, by=admin, create_opportunity=bool(who))
            elif operation == "delete":
                delete_lead(lead, by=admin)
            elif operation == "upsert":
                upsert_leads(
                    [(0, {"email": lead.email, "first_name": "Up", "last_name": "Serted", "company": "Co"}),
                     (1, {"email": f"new{n}@example.com", "first_name": "New", "last_name": "Lead", "company": "Co"})],
                    by=admin,
                )  # fmt: skip
            elif operation == "touch":  # an activity logged on the lead
                log_activity(by=admin, kind="call", subject=f"step {n}", lead=lead)
            else:
                funnel_rollup.fold_deltas()
    assert _equal_recounts()
    funnel_rollup.fold_deltas()
    assert FunnelDelta.objects.count() == UnattendedDelta.objects.count() == 0
    assert _equal_recounts()
    rebuild_rollups()
    assert _equal_recounts()


def test_unattended_from_the_rollup_equals_the_count_over_the_leads_at_the_cutoffs_minute(rep, other_rep, admin):
    """Whole days from the rollup, the cutoff's own day and each owner's exact oldest moment from the leads."""
    now = datetime(2026, 3, 20, 15, 0, tzinfo=UTC)
    cutoff = now - timedelta(days=14)
    for minutes, owner in [(-90, rep), (-1, rep), (1, rep), (-60 * 24 * 3, other_rep), (-5, None), (30, other_rep)]:
        with time_machine.travel(cutoff + timedelta(minutes=minutes), tick=False):
            LeadFactory(owner=owner, source="web")
    LeadFactory(owner=rep, source="web", status="unqualified", created_at=cutoff - timedelta(days=2))
    filters = FunnelFilters(created_after=date(2026, 3, 1), created_before=date(2026, 3, 20), idle_days=14)
    from_rollup = get_unattended(admin, filters, now=now)
    with patch.object(funnel_rollup, "answers", return_value=False):
        counted = get_unattended(admin, filters, now=now)
    assert from_rollup == counted
    assert [(r["owner"], r["leads"]) for r in from_rollup] == [(rep.pk, 2), (other_rep.pk, 1), (None, 1)]
    assert from_rollup[0]["idle_since"] == cutoff - timedelta(minutes=90)
    assert [r["owner"] for r in get_unattended(other_rep, filters, now=now)] == [other_rep.pk]
