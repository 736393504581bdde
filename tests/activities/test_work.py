"""Leads worked per rep, day and week (activities.work): the services keep the rollup equal to a recount."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.services import delete_account
from activities.models import Activity, WorkedLeadDay, WorkedLeadWeek
from activities.services import delete_activity, log_activity, update_activity
from contacts.services import delete_contact
from dashboards.filters import FunnelFilters
from dashboards.rollups import rebuild_rollups
from dashboards.selectors.activity import count_activity
from leads.models import Lead, LeadStatusChange
from leads.services.capture import change_lead_status, create_lead
from tests.factories import AccountFactory, ContactFactory, LeadFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _rollup() -> dict[str, set]:
    return {
        "days": set(WorkedLeadDay.objects.values_list("rep_id", "day", "lead_id", "activities", "status_changes")),
        "weeks": set(WorkedLeadWeek.objects.values_list("rep_id", "week", "lead_id", "activities", "status_changes")),
    }


def _worked(rep, first: date, last: date, period: str = "week") -> dict[date, int]:
    counts = count_activity([rep.pk], FunnelFilters(created_after=first, created_before=last), period)
    return {day: values["leads_worked"] for (_rep, day), values in counts.items() if values["leads_worked"]}


def test_logging_an_activity_counts_the_lead_once_per_day_and_week(rep):
    lead = LeadFactory(owner=rep)
    with time_machine.travel(MONDAY, tick=False) as clock:
        log_activity(by=rep, kind="call", subject="Intro", lead=lead)
        log_activity(by=rep, kind="email", subject="Follow-up", lead=lead)
        clock.shift(timedelta(days=1))
        log_activity(by=rep, kind="note", subject="Notes", lead=lead)
    assert _rollup() == {
        "days": {(rep.pk, date(2026, 3, 2), lead.pk, 2, 0), (rep.pk, date(2026, 3, 3), lead.pk, 1, 0)},
        "weeks": {(rep.pk, date(2026, 3, 2), lead.pk, 3, 0)},
    }
    assert _worked(rep, date(2026, 3, 2), date(2026, 3, 8), "day") == {date(2026, 3, 2): 1, date(2026, 3, 3): 1}
    assert _worked(rep, date(2026, 3, 2), date(2026, 3, 8)) == {date(2026, 3, 2): 1}


def test_a_status_change_is_work_but_the_status_a_lead_is_created_with_is_not(rep):
    with time_machine.travel(MONDAY, tick=False):
        lead = create_lead(by=rep, first_name="Ada", last_name="Lovelace")
        assert _rollup()["days"] == set()
        change_lead_status(lead, to="working", by=rep)
    assert _rollup()["days"] == {(rep.pk, date(2026, 3, 2), lead.pk, 0, 1)}


def test_deleting_the_only_work_of_a_day_uncounts_the_lead_and_other_work_keeps_it(rep):
    lead = LeadFactory(owner=rep, status="new")
    with time_machine.travel(MONDAY, tick=False):
        call = log_activity(by=rep, kind="call", subject="Intro", lead=lead)
        note = log_activity(by=rep, kind="note", subject="Notes", lead=lead)
        change_lead_status(lead, to="working", by=rep)
    delete_activity(call, by=rep)
    assert _rollup()["days"] == {(rep.pk, date(2026, 3, 2), lead.pk, 1, 1)}
    delete_activity(note, by=rep)
    assert _rollup()["days"] == {(rep.pk, date(2026, 3, 2), lead.pk, 0, 1)}
    LeadStatusChange.objects.filter(lead=lead).delete()
    rebuild_rollups()
    assert _rollup() == {"days": set(), "weeks": set()}


def test_moving_an_activity_to_another_lead_moves_the_work(rep):
    first, second = LeadFactory(owner=rep), LeadFactory(owner=rep)
    with time_machine.travel(MONDAY, tick=False):
        call = log_activity(by=rep, kind="call", subject="Intro", lead=first)
    update_activity(call, by=rep, data={"lead": second})
    assert _rollup()["days"] == {(rep.pk, date(2026, 3, 2), second.pk, 1, 0)}


def test_deleting_a_contact_uncounts_the_work_its_timeline_held(rep):
    lead, contact = LeadFactory(owner=rep), ContactFactory(owner=rep)
    with time_machine.travel(MONDAY, tick=False):
        log_activity(by=rep, kind="call", subject="Both", lead=lead, contact=contact)
    delete_contact(contact, by=rep)
    assert not Activity.objects.exists()
    assert _rollup() == {"days": set(), "weeks": set()}


def test_a_refused_delete_keeps_the_work_counted(rep):
    account = AccountFactory(owner=rep)
    ContactFactory(owner=rep, account=account)  # an account with contacts cannot be deleted
    lead = LeadFactory(owner=rep)
    with time_machine.travel(MONDAY, tick=False):
        log_activity(by=rep, kind="call", subject="Both", lead=lead, account=account)
    before = _rollup()
    with pytest.raises(Exception, match="contacts"):
        delete_account(account, by=rep)
    assert _rollup() == before != {"days": set(), "weeks": set()}


def test_a_deleted_lead_takes_its_work_with_it(rep):
    lead = LeadFactory(owner=rep)
    log_activity(by=rep, kind="call", subject="Intro", lead=lead)
    lead.delete()
    assert _rollup() == {"days": set(), "weeks": set()}


def test_weeks_the_range_cuts_count_only_the_days_inside_it(rep):
    """A range from a Wednesday to the Tuesday two weeks on: one whole week, two cut ones, each deduplicated."""
    leads = [LeadFactory(owner=rep, status="new") for _ in range(3)]
    with time_machine.travel(MONDAY, tick=False) as clock:  # Mon 2 March
        log_activity(by=rep, kind="call", subject="Mon", lead=leads[0])  # before the range
        clock.shift(timedelta(days=2))  # Wed 4
        log_activity(by=rep, kind="call", subject="Wed", lead=leads[1])
        clock.shift(timedelta(days=1))  # Thu 5
        log_activity(by=rep, kind="call", subject="Thu", lead=leads[1])
        log_activity(by=rep, kind="call", subject="Thu", lead=leads[2])
        clock.shift(timedelta(days=5))  # Tue 10
        for lead in leads:
            log_activity(by=rep, kind="email", subject="Tue", lead=lead)
        clock.shift(timedelta(days=7))  # Tue 17
        change_lead_status(leads[0], to="working", by=rep)
        clock.shift(timedelta(days=1))  # Wed 18: after the range
        log_activity(by=rep, kind="call", subject="Wed", lead=leads[1])
    assert _worked(rep, date(2026, 3, 4), date(2026, 3, 17)) == {
        date(2026, 3, 2): 2,  # Wed 4 to Sun 8: leads 1 and 2 (lead 0's Monday is outside)
        date(2026, 3, 9): 3,  # the whole week
        date(2026, 3, 16): 1,  # Mon 16 to Tue 17: lead 0's status change
    }


# One step of a random history: (operation, rep index, lead index, day offset).
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["log", "status", "move", "delete"]),
        st.integers(0, 1),
        st.integers(0, 2),
        st.integers(0, 9),
    ),
    max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_after_any_history_the_rollup_equals_a_recount(rep, other_rep, steps):
    """Logging, moving and deleting activities and changing statuses, by two reps over ten days spanning two weeks."""
    Lead.objects.all().delete()  # hypothesis runs every example in the same test database: start from none
    reps = [rep, other_rep]
    leads = [LeadFactory(owner=rep, status="new") for _ in range(3)]
    statuses = ["working", "nurturing"]
    for n, (operation, who, which, day) in enumerate(steps):
        with time_machine.travel(MONDAY + timedelta(days=day, hours=n % 5), tick=False):
            mine = list(Activity.objects.filter(owner=reps[who]).order_by("pk"))
            if operation == "log" or (operation in ("move", "delete") and not mine):
                log_activity(by=reps[who], kind="call", subject=f"step {n}", lead=leads[which])
            elif operation == "status":
                lead = leads[which]
                lead.refresh_from_db()
                change_lead_status(lead, to=statuses[n % 2], by=reps[who])
            elif operation == "move":
                update_activity(mine[n % len(mine)], by=reps[who], data={"lead": leads[which]})
            else:
                delete_activity(mine[n % len(mine)], by=reps[who])
    kept = _rollup()
    rebuild_rollups()
    assert kept == _rollup()
