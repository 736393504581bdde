"""Lead scoring: operators, clamping, decay, the MQL milestone, triggers, the sweeper and resumable bulk runs."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from activities.models import Activity, Event
from activities.services import log_activity, record_event
from leads.models import Lead
from leads.services import capture
from scoring import services
from scoring.models import EngagementWeight, ScoringRule, ScoringRun
from scoring.rules import CLAMP_LINE, ENGAGEMENT_LINE, MQL_EVENT_KIND
from scoring.tasks import rescore_all_leads_bulk_task, score_lead_task, score_unscored_leads_task
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def blank_slate(db):
    """Start each test without the seeded rule set, so scores come from the rules a test adds."""
    ScoringRule.objects.all().delete()


def add_rule(field, operator, value="", points=10, name=None):
    return ScoringRule.objects.create(
        name=name or f"{field} {operator} {value}", field=field, operator=operator, value=value, points=points
    )


def convert(lead) -> None:
    Lead.objects.filter(pk=lead.pk).update(
        status=Lead.Status.CONVERTED, converted_at=timezone.now(), converted_account=AccountFactory()
    )


def scored(lead) -> Lead:
    services.score_lead(lead.pk)
    lead.refresh_from_db()
    return lead


@pytest.mark.parametrize(
    ("field", "operator", "value", "matching", "other"),
    [
        ("title", "equals", "CEO", {"title": "ceo"}, {"title": "CEO assistant"}),
        ("source", "not_equals", "referral", {"source": "webinar"}, {"source": "referral"}),
        ("employees", "not_equals", "50", {"employees": None}, {"employees": 50}),
        ("country", "in", "Germany, France", {"country": "france"}, {"country": "Spain"}),
        ("source", "in", "webinar, partner", {"source": "partner"}, {"source": "web"}),
        ("title", "contains", "chief, vp", {"title": "Chief Revenue Officer"}, {"title": "Analyst"}),
        ("company", "starts_with", "acme", {"company": "ACME Corp"}, {"company": "The Acme"}),
        ("employees", "gte", "200", {"employees": 200}, {"employees": 199}),
        ("annual_revenue", "lte", "1000000", {"annual_revenue": "999999.99"}, {"annual_revenue": None}),
        ("phone", "is_set", "", {"phone": "+1 555"}, {"phone": ""}),
        ("employees", "is_blank", "", {"employees": None}, {"employees": 3}),
        ("email", "free_mail", "", {"email": "jo@gmail.com"}, {"email": "jo@acme.example"}),
        ("do_not_contact", "equals", "true", {"do_not_contact": True}, {"do_not_contact": False}),
    ],
)
def test_each_operator_gives_points_only_to_matching_leads(field, operator, value, matching, other):
    add_rule(field, operator, value, points=30)
    hit, miss = LeadFactory(**matching), LeadFactory(**other)

    assert scored(hit).score == 30
    assert scored(miss).score == 0


def test_a_score_is_clamped_to_0_100_and_the_breakdown_says_so():
    add_rule("title", "contains", "vp", points=80)
    add_rule("company", "is_set", points=60)
    add_rule("phone", "is_blank", points=-90, name="No phone")
    high = LeadFactory(title="VP Sales", company="Acme", phone="1")
    low = LeadFactory(title="Intern", company="", phone="")

    assert scored(high).score == 100
    assert scored(high).rating == Lead.Rating.HOT
    assert scored(low).score == 0
    lines = services.explain_score(high)["breakdown"]
    assert {"rule": CLAMP_LINE, "points": -40} in lines
    assert sum(line["points"] for line in lines) == 100


def test_engagement_halves_every_half_life(settings):
    settings.FUNNEL_ENGAGEMENT_HALF_LIFE = timedelta(days=30)
    EngagementWeight.objects.filter(kind="meeting").update(points=20, active=True)
    lead = LeadFactory()
    fresh = log_activity(by=None, kind="meeting", subject="Demo", lead=lead)
    assert scored(lead).score == 20

    Activity.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - timedelta(days=30))
    assert scored(lead).score == 10

    Activity.objects.filter(pk=fresh.pk).update(created_at=timezone.now() - timedelta(days=60))
    assert scored(lead).score == 5
    assert services.explain_score(lead)["breakdown"] == [{"rule": ENGAGEMENT_LINE, "points": 5}]


def test_rating_follows_the_score_thresholds(settings):
    settings.FUNNEL_RATING_HOT, settings.FUNNEL_RATING_WARM = 70, 40
    rule = add_rule("title", "contains", "vp", points=45)
    lead = LeadFactory(title="VP")
    assert scored(lead).rating == Lead.Rating.WARM
    ScoringRule.objects.filter(pk=rule.pk).update(points=39)
    assert scored(lead).rating == Lead.Rating.COLD


def test_the_mql_milestone_is_set_once_and_kept_when_the_score_falls(monkeypatch, settings):
    settings.FUNNEL_MQL_THRESHOLD = 50
    kicked = []
    monkeypatch.setattr(
        services, "publish", lambda kind, lead, **kw: kicked.append(lead.pk) if kind == "scoring.reached_mql" else None
    )
    rule = add_rule("title", "contains", "vp", points=60)
    lead = scored(LeadFactory(title="VP Sales"))
    first_mql_at = lead.mql_at
    assert first_mql_at is not None and lead.is_mql

    ScoringRule.objects.filter(pk=rule.pk).update(points=10)
    lead = scored(lead)
    assert lead.score == 10 and lead.mql_at == first_mql_at

    ScoringRule.objects.filter(pk=rule.pk).update(points=90)
    lead = scored(lead)
    assert lead.mql_at == first_mql_at
    assert Event.objects.filter(lead=lead, kind=MQL_EVENT_KIND).count() == 1
    assert kicked == [lead.pk]


def test_the_mql_event_names_the_score_and_the_threshold(settings):
    settings.FUNNEL_MQL_THRESHOLD = 50
    add_rule("title", "contains", "vp", points=60)
    lead = scored(LeadFactory(title="VP"))

    event = Event.objects.get(lead=lead, kind=MQL_EVENT_KIND)
    assert event.summary == "Became a marketing-qualified lead: score 60 reached 50"
    assert event.data == {"score": 60, "threshold": 50}


def test_lowering_the_threshold_stamps_leads_whose_score_did_not_change(settings):
    settings.FUNNEL_MQL_THRESHOLD = 70
    add_rule("title", "contains", "vp", points=60)
    lead = scored(LeadFactory(title="VP"))
    assert lead.mql_at is None

    settings.FUNNEL_MQL_THRESHOLD = 50
    run = services.rescore_leads()

    lead.refresh_from_db()
    assert lead.mql_at is not None and run.leads_reached_mql == 1
    assert Event.objects.filter(lead=lead, kind=MQL_EVENT_KIND).count() == 1


def test_scoring_a_lead_twice_changes_nothing_more():
    add_rule("title", "contains", "vp", points=60)
    lead = LeadFactory(title="VP")
    score_lead_task(lead.pk)
    lead.refresh_from_db()
    before = (lead.score, lead.rating, lead.scored_at, lead.mql_at, Event.objects.filter(lead=lead).count())

    score_lead_task(lead.pk)
    lead.refresh_from_db()
    assert (lead.score, lead.rating, lead.scored_at, lead.mql_at, Event.objects.filter(lead=lead).count()) == before


def test_a_second_bulk_rescore_changes_no_lead():
    add_rule("title", "contains", "vp", points=60)
    LeadFactory.create_batch(5, title="VP")
    first = services.rescore_leads(chunk_size=2)
    second = services.rescore_leads(chunk_size=2)

    assert first.leads_changed == 5 and first.leads_reached_mql == 5
    assert second.leads_changed == 0 and second.leads_reached_mql == 0
    assert Event.objects.filter(kind=MQL_EVENT_KIND).count() == 5


def test_a_converted_lead_keeps_its_score():
    add_rule("title", "contains", "vp", points=60)
    lead = LeadFactory(title="VP")
    Lead.objects.filter(pk=lead.pk).update(score=7)
    convert(lead)

    services.rescore_leads()
    services.score_lead(lead.pk)
    lead.refresh_from_db()
    assert lead.score == 7 and lead.mql_at is None


def test_a_crashed_bulk_rescore_resumes_where_it_stopped(monkeypatch):
    add_rule("title", "contains", "vp", points=20)
    leads = LeadFactory.create_batch(6, title="VP")
    real_apply = services._apply_scores
    calls = []

    def crash_on_second_chunk(scoring, lead_filter):
        calls.append(lead_filter.low)
        if len(calls) == 2:
            raise RuntimeError("worker lost")
        return real_apply(scoring, lead_filter)

    monkeypatch.setattr(services, "_apply_scores", crash_on_second_chunk)
    with pytest.raises(RuntimeError):
        services.rescore_leads(chunk_size=2)
    run = ScoringRun.objects.get()
    assert run.status == ScoringRun.Status.RUNNING and run.last_id == leads[1].pk

    monkeypatch.setattr(services, "_apply_scores", real_apply)
    resumed = services.rescore_leads(chunk_size=2)
    assert resumed.pk == run.pk and resumed.status == ScoringRun.Status.DONE
    assert set(Lead.objects.values_list("score", flat=True)) == {20}


def test_a_rule_change_supersedes_a_running_rescore_and_enqueues_a_new_one(admin, django_capture_on_commit_callbacks):
    running = ScoringRun.objects.create(started_at=timezone.now(), max_id=10)
    with django_capture_on_commit_callbacks() as callbacks:
        services.create_scoring_rule(by=admin, name="VP", field="title", operator="contains", value="vp", points=5)
    running.refresh_from_db()
    assert running.status == ScoringRun.Status.SUPERSEDED
    assert len(callbacks) == 1


def test_a_rule_change_rescores_leads_only_after_commit(admin, django_capture_on_commit_callbacks):
    lead = LeadFactory(title="VP Sales")
    with django_capture_on_commit_callbacks(execute=True):
        services.create_scoring_rule(by=admin, name="VP", field="title", operator="contains", value="vp", points=35)
        lead.refresh_from_db()
        assert lead.score == 0
    lead.refresh_from_db()
    assert lead.score == 35


def test_creating_a_lead_or_changing_a_scored_field_scores_it(rep, django_capture_on_commit_callbacks):
    add_rule("title", "contains", "director", points=25)
    with django_capture_on_commit_callbacks(execute=True):
        lead = capture.create_lead(by=rep, last_name="Ng", title="Director of IT")
    lead.refresh_from_db()
    assert lead.score == 25 and lead.scored_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        capture.update_lead(lead, by=rep, data={"title": "Analyst"})
    lead.refresh_from_db()
    assert lead.score == 0


def test_editing_an_unscored_field_does_not_rescore(rep, django_capture_on_commit_callbacks):
    lead = LeadFactory(owner=rep)
    with django_capture_on_commit_callbacks() as callbacks:
        capture.update_lead(lead, by=rep, data={"description": "Met at the fair"})
    assert [getattr(callback, "task_name", None) for callback in callbacks].count(score_lead_task.name) == 0


def test_new_engagement_rescores_the_lead(django_capture_on_commit_callbacks, monkeypatch):
    EngagementWeight.objects.filter(kind="nurture_clicked").update(points=5, active=True)
    lead = LeadFactory()
    with django_capture_on_commit_callbacks(execute=True):
        record_event("nurture_clicked", "Clicked the pricing link", lead=lead)
    lead.refresh_from_db()
    assert lead.score == 5

    kicks = []
    monkeypatch.setattr(score_lead_task, "delay_on_commit", lambda *args: kicks.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        record_event("field_changed", "Owner changed", lead=lead)
    assert kicks == []


def test_the_sweeper_scores_leads_that_were_never_scored():
    add_rule("company", "is_set", points=15)
    never = LeadFactory.create_batch(3, company="Acme")
    converted = LeadFactory(company="Acme")
    convert(converted)

    assert score_unscored_leads_task() == 3
    assert {lead.score for lead in Lead.objects.filter(pk__in=[lead.pk for lead in never])} == {15}
    assert score_unscored_leads_task() == 0


def test_the_nightly_rescore_applies_decay():
    EngagementWeight.objects.filter(kind="call").update(points=40, active=True)
    lead = LeadFactory()
    call = log_activity(by=None, kind="call", subject="Intro", lead=lead)
    assert scored(lead).score == 40
    Activity.objects.filter(pk=call.pk).update(created_at=timezone.now() - timedelta(days=90))

    rescore_all_leads_bulk_task(reason="nightly decay")
    lead.refresh_from_db()
    assert lead.score == 5


def test_a_rule_on_an_unknown_field_or_with_a_bad_value_is_rejected(admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as unknown:
        services.create_scoring_rule(by=admin, name="x", field="owner", operator="equals", value="1", points=1)
    with pytest.raises(ValidationError) as bad_number:
        services.create_scoring_rule(by=admin, name="x", field="employees", operator="gte", value="many", points=1)
    with transaction.atomic():
        assert ScoringRule.objects.count() == 0
    assert "field" in unknown.value.message_dict
    assert "value" in bad_number.value.message_dict


def test_the_default_rule_set_is_seeded_and_scores_a_senior_referral_highly(django_db_setup):
    from importlib import import_module

    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    # The rules' model as the data migration saw it (it lived in the leads app then; scoring keeps its table).
    apps = MigrationLoader(connection).project_state(("leads", "0005_scoring_default_rules")).apps
    import_module("leads.migrations.0005_scoring_default_rules").seed(apps, None)
    lead = LeadFactory(
        title="VP of Engineering", employees=1500, source="referral", email="vp@bigco.example", phone="+1 555 0100"
    )
    free_mail = LeadFactory(title="Student", email="someone@gmail.com", phone="", company="")

    assert scored(lead).score >= 50
    assert scored(free_mail).score == 0
    assert {"rule": "Free-mail address", "points": -15} in services.explain_score(free_mail)["breakdown"]
