"""Assignment rules, round-robin and least-loaded distribution, capacity, the sweeper and notifications."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from activities.models import Event
from assignment import routing, services
from assignment.models import AssignmentRule
from assignment.selectors import list_unassigned_leads
from assignment.tasks import assign_unassigned_leads_task
from core.exceptions import PermissionDenied
from leads.models import Lead
from leads.services.capture import create_lead
from tests.factories import AssignmentRuleFactory, LeadFactory, TeamFactory, UserFactory


def make_reps(count: int, *, team=None, prefix: str = "r", **fields) -> list:
    return [UserFactory(username=f"{prefix}{i}", role="rep", team=team, **fields) for i in range(count)]


def owner_of(lead: Lead):
    lead.refresh_from_db()
    return lead.owner


@pytest.fixture
def sales_team(db):
    team = TeamFactory(name="Inside sales", manager=UserFactory(username="boss", role="manager"))
    reps = make_reps(3, team=team, prefix="inside")
    return team, reps


def test_the_seeded_default_rule_round_robins_over_all_reps(db):
    # given only the seeded rule and two reps
    default = AssignmentRule.objects.get()
    first, second = make_reps(2)
    leads = [LeadFactory() for _ in range(4)]
    # when
    for lead in leads:
        services.assign_lead(lead)
    # then
    assert default.target_user is None and default.target_team is None
    assert [owner_of(lead) for lead in leads] == [first, second, first, second]


def test_the_first_matching_rule_wins_in_rule_order(db):
    germany_rep, enterprise_rep, fallback_rep = make_reps(3)
    AssignmentRuleFactory(order=20, name="Enterprise", employees_min=1000, target_user=enterprise_rep)
    AssignmentRuleFactory(order=10, name="Germany", countries=["germany"], target_user=germany_rep)
    AssignmentRuleFactory(order=30, name="Rest", target_user=fallback_rep)
    big_german = LeadFactory(country="Germany ", employees=5000)
    big_french = LeadFactory(country="France", employees=5000)
    small_french = LeadFactory(country="France", employees=10)

    for lead in (big_german, big_french, small_french):
        services.assign_lead(lead)

    assert owner_of(big_german) == germany_rep
    assert owner_of(big_french) == enterprise_rep
    assert owner_of(small_french) == fallback_rep


@pytest.mark.parametrize(
    ("criteria", "matching", "other"),
    [
        ({"sources": ["webinar", "referral"]}, {"source": "webinar"}, {"source": "web"}),
        ({"industries": ["Software"]}, {"industry": "software"}, {"industry": "Retail"}),
        ({"employees_min": 50, "employees_max": 200}, {"employees": 200}, {"employees": 201}),
        ({"employees_min": 50}, {"employees": 50}, {"employees": None}),
        ({"score_min": 60}, {"score": 60}, {"score": 59}),
        ({"ratings": ["hot"]}, {"rating": "hot"}, {"rating": "warm"}),
    ],
)
def test_a_rule_takes_only_the_leads_its_criteria_match(db, criteria, matching, other):
    specialist, everyone_else = make_reps(2)
    AssignmentRuleFactory(order=1, target_user=specialist, **criteria)
    AssignmentRuleFactory(order=2, target_user=everyone_else)
    hit, miss = LeadFactory(**matching), LeadFactory(**other)

    services.assign_lead(hit)
    services.assign_lead(miss)

    assert owner_of(hit) == specialist
    assert owner_of(miss) == everyone_else


def test_an_inactive_rule_is_skipped(db):
    paused, active = make_reps(2)
    AssignmentRuleFactory(order=1, target_user=paused, active=False)
    AssignmentRuleFactory(order=2, target_user=active)
    lead = LeadFactory()

    services.assign_lead(lead)

    assert owner_of(lead) == active


def test_round_robin_over_a_team_continues_where_the_last_assignment_stopped(sales_team):
    team, reps = sales_team
    rule = AssignmentRuleFactory(order=1, target_team=team, method="round_robin")
    make_reps(1, prefix="outsider")  # a rep of no team is never picked by a team rule

    first_batch = [LeadFactory() for _ in range(2)]
    for lead in first_batch:
        services.assign_lead(lead)
    second_batch = [LeadFactory() for _ in range(4)]
    for lead in second_batch:
        services.assign_lead(lead)

    assert [owner_of(lead) for lead in first_batch + second_batch] == [*reps, *reps[:3]]
    rule.refresh_from_db()
    assert rule.last_assigned_user == reps[2]


def test_least_loaded_picks_the_rep_with_fewest_open_leads(sales_team):
    team, (busy, quiet, middle) = sales_team
    AssignmentRuleFactory(order=1, target_team=team, method="least_loaded")
    LeadFactory.create_batch(3, owner=busy)
    LeadFactory.create_batch(2, owner=middle)
    LeadFactory.create_batch(5, owner=quiet, status="unqualified")  # closed leads are no load
    LeadFactory(owner=quiet)
    leads = [LeadFactory() for _ in range(3)]

    for lead in leads:
        services.assign_lead(lead)

    # quiet goes 1 → 2 and ties with middle; a tie goes to the earlier rep (quiet), then middle is lowest
    assert [owner_of(lead) for lead in leads] == [quiet, quiet, middle]


def test_reps_who_do_not_accept_leads_or_are_inactive_are_skipped(sales_team):
    team, (on_leave, gone, available) = sales_team
    on_leave.accepts_leads = False
    on_leave.save()
    gone.is_active = False
    gone.save()
    AssignmentRuleFactory(order=1, target_team=team)
    leads = [LeadFactory() for _ in range(3)]

    for lead in leads:
        services.assign_lead(lead)

    assert {owner_of(lead) for lead in leads} == {available}


def test_a_rep_at_capacity_is_skipped_until_a_lead_closes(sales_team):
    team, (full, *others) = sales_team
    for rep in others:
        rep.accepts_leads = False
        rep.save()
    full.lead_capacity = 2
    full.save()
    AssignmentRuleFactory(order=1, target_team=team)
    held = LeadFactory.create_batch(2, owner=full)
    waiting = LeadFactory()

    services.assign_lead(waiting)
    assert owner_of(waiting) is None

    Lead.objects.filter(pk=held[0].pk).update(status="unqualified")
    services.assign_lead(waiting)
    assert owner_of(waiting) == full


def test_when_nobody_can_take_a_lead_it_stays_unassigned_and_the_manager_is_told_once(
    sales_team, django_capture_on_commit_callbacks
):
    team, reps = sales_team
    for rep in reps:
        rep.accepts_leads = False
        rep.save()
    AssignmentRuleFactory(order=1, target_team=team)
    lead = LeadFactory(company="Acme")

    with django_capture_on_commit_callbacks(execute=True):
        services.assign_lead(lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_lead(lead)
    with django_capture_on_commit_callbacks(execute=True):
        services.assign_leads_bulk([lead.pk])

    assert owner_of(lead) is None
    assert Event.objects.filter(lead=lead, kind="assignment_failed").count() == 1
    assert [message.to for message in mail.outbox] == [[team.manager.email]]
    assert lead.full_name in mail.outbox[0].body
    assert list(list_unassigned_leads(team.manager)) == [lead]
    assert list(list_unassigned_leads(reps[0])) == []


def test_a_lead_no_rule_matches_is_reported_to_the_managers(db, django_capture_on_commit_callbacks):
    AssignmentRule.objects.update(active=False)
    manager = UserFactory(username="floor", role="manager")
    make_reps(1)
    lead = LeadFactory()

    with django_capture_on_commit_callbacks(execute=True):
        services.assign_lead(lead)

    assert owner_of(lead) is None
    assert Event.objects.get(lead=lead, kind="assignment_failed").data["reason"] == "no_rule_matched"
    assert [message.to for message in mail.outbox] == [[manager.email]]


def test_assignment_never_overwrites_an_owner_set_meanwhile(sales_team, monkeypatch):
    team, _reps = sales_team
    rule = AssignmentRuleFactory(order=1, target_team=team)
    chosen_by_hand = UserFactory(username="picked", role="rep")
    lead = LeadFactory()
    real_pick = routing._Pool.pick

    def pick_while_a_manager_assigns(pool, compiled, **kwargs):
        Lead.objects.filter(pk=lead.pk).update(owner=chosen_by_hand)
        return real_pick(pool, compiled, **kwargs)

    monkeypatch.setattr(routing._Pool, "pick", pick_while_a_manager_assigns)

    result = services.assign_lead(lead)

    assert result.owner == chosen_by_hand
    assert owner_of(lead) == chosen_by_hand
    assert not Event.objects.filter(lead=lead, kind="assigned").exists()
    rule.refresh_from_db()
    assert rule.last_assigned_user is None


def test_an_owned_lead_is_left_alone_by_the_rules(rep):
    lead = LeadFactory(owner=rep)

    services.assign_lead(lead)

    assert owner_of(lead) == rep
    assert not Event.objects.filter(lead=lead).exists()


def test_the_new_owner_is_emailed_only_after_commit(sales_team, django_capture_on_commit_callbacks):
    team, reps = sales_team
    AssignmentRuleFactory(order=1, target_team=team)
    lead = LeadFactory()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.assign_lead(lead)
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):  # what runs after commit may enqueue more work
        for callback in callbacks:
            callback()
    assert [message.to for message in mail.outbox] == [[reps[0].email]]
    assert lead.full_name in mail.outbox[0].subject


def test_the_assignment_is_on_the_timeline_with_rule_method_and_previous_owner(sales_team):
    team, reps = sales_team
    manager = team.manager
    rule = AssignmentRuleFactory(order=1, name="Inside", target_team=team, method="least_loaded")
    lead = LeadFactory()

    services.assign_lead(lead)
    services.assign_lead(lead, owner=reps[1], by=manager)

    by_hand, by_rule = Event.objects.filter(lead=lead, kind="assigned").order_by("-id")
    assert by_rule.data == {"rule": rule.pk, "rule_name": "Inside", "method": "least_loaded", "previous_owner": None}
    assert "Inside" in by_rule.summary
    assert by_hand.data == {"rule": None, "method": "manual", "previous_owner": reps[0].pk}
    assert by_hand.actor == manager


def test_a_rep_may_not_choose_an_owner(rep, other_rep):
    lead = LeadFactory(owner=rep)

    with pytest.raises(PermissionDenied):
        services.assign_lead(lead, owner=other_rep, by=rep)

    assert owner_of(lead) == rep


def test_a_lead_created_without_owner_is_assigned_after_commit(sales_team, django_capture_on_commit_callbacks):
    team, reps = sales_team
    AssignmentRuleFactory(order=1, target_team=team)

    with django_capture_on_commit_callbacks(execute=True):
        lead = create_lead(by=team.manager, last_name="Lovelace", email="ada@example.test")

    assert owner_of(lead) == reps[0]
    assert list(list_unassigned_leads(team.manager)) == []


def test_the_sweeper_assigns_unowned_open_leads_older_than_a_minute(sales_team):
    team, reps = sales_team
    AssignmentRuleFactory(order=1, target_team=team)
    old, fresh = LeadFactory(), LeadFactory()
    closed = LeadFactory(status="unqualified")
    Lead.objects.filter(pk__in=[old.pk, closed.pk]).update(created_at=timezone.now() - timedelta(minutes=2))

    assigned = assign_unassigned_leads_task()

    assert assigned == 1
    assert owner_of(old) == reps[0]
    assert owner_of(fresh) is None
    assert owner_of(closed) is None


def test_reassigning_a_leaving_reps_open_leads_spreads_them_over_the_others(sales_team):
    team, (leaving, *staying) = sales_team
    AssignmentRuleFactory(order=1, target_team=team)
    open_leads = LeadFactory.create_batch(4, owner=leaving)
    closed = LeadFactory(owner=leaving, status="unqualified")

    result = services.reassign_open_leads(leaving, by=team.manager)

    assert result.assigned_count == 4
    assert Counter(owner_of(lead) for lead in open_leads) == {staying[0]: 2, staying[1]: 2}
    assert owner_of(closed) == leaving
    event = Event.objects.filter(lead=open_leads[0], kind="assigned").get()
    assert event.data["previous_owner"] == leaving.pk


def test_bulk_assignment_of_ten_thousand_leads_issues_a_bounded_number_of_queries(
    sales_team, django_assert_max_num_queries
):
    team, reps = sales_team
    more = make_reps(2, team=team, prefix="extra")
    AssignmentRuleFactory(order=1, target_team=team)
    Lead.objects.bulk_create([Lead(last_name=f"Bulk {i}", source="import") for i in range(10_000)], batch_size=500)

    with django_assert_max_num_queries(60):
        result = services.assign_leads_bulk(Lead.objects.unassigned())

    assert result.assigned_count == 10_000
    assert Counter(Lead.objects.values_list("owner_id", flat=True)) == {rep.pk: 2_000 for rep in [*reps, *more]}
    assert Event.objects.filter(kind="assigned").count() == 10_000


def test_bulk_assignment_emails_each_owner_one_digest(sales_team, django_capture_on_commit_callbacks):
    team, reps = sales_team
    AssignmentRuleFactory(order=1, target_team=team)
    LeadFactory.create_batch(6)

    with django_capture_on_commit_callbacks(execute=True):
        services.assign_leads_bulk(Lead.objects.unassigned())

    assert sorted(message.to[0] for message in mail.outbox) == sorted(rep.email for rep in reps)
    assert all(message.subject == "2 new leads for you" for message in mail.outbox)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_four_workers_assigning_a_thousand_leads_round_robin_give_each_of_five_reps_two_hundred():
    team = TeamFactory(name="Race", manager=UserFactory(username="race-boss", role="manager"))
    reps = make_reps(5, team=team, prefix="racer")
    AssignmentRuleFactory(order=1, target_team=team, method="round_robin")
    Lead.objects.bulk_create([Lead(last_name=f"Race {i}") for i in range(1_000)])
    lead_ids = list(Lead.objects.order_by("pk").values_list("pk", flat=True))
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def worker(ids: list[int]) -> None:
        try:
            with connection.cursor() as cursor:
                # Durability is not under test; waiting for a disk flush per commit only slows the race down.
                cursor.execute("SET synchronous_commit TO off")
            barrier.wait()
            for lead_id in ids:
                services.assign_lead(Lead(pk=lead_id))
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(lead_ids[i::4],)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    counts = Counter(Lead.objects.values_list("owner_id", flat=True))
    assert set(counts) == {rep.pk for rep in reps}
    assert all(199 <= n <= 201 for n in counts.values()), counts
    assert Event.objects.filter(kind="assigned").count() == 1_000


def test_reaching_mql_assigns_a_lead_still_unassigned(sales_team, django_capture_on_commit_callbacks):
    from core.events import publish
    from scoring.events import ScoringEvent

    team, reps = sales_team
    AssignmentRule.objects.update(active=False)
    AssignmentRuleFactory(order=1, target_team=team, score_min=50)
    lead = LeadFactory(score=10)
    services.assign_lead(lead)
    assert owner_of(lead) is None
    Lead.objects.filter(pk=lead.pk).update(score=60, mql_at=timezone.now())
    lead.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        publish(ScoringEvent.REACHED_MQL, lead, data={"owner": None})

    assert owner_of(lead) == reps[0]


def test_the_command_reassigns_a_leaving_reps_leads_and_refuses_a_rep_as_actor(sales_team):
    from django.core.management import CommandError, call_command

    team, (leaving, staying, _) = sales_team
    AssignmentRuleFactory(order=1, target_team=team, method="least_loaded")
    lead = LeadFactory(owner=leaving)

    with pytest.raises(CommandError):
        call_command("reassign_open_leads", leaving.username, by=staying.username)
    call_command("reassign_open_leads", leaving.username, by=team.manager.username)

    assert owner_of(lead) == staying
