"""Lead grades: profile rules, thresholds, set-based grade == one-by-one grade, regrading, and MQL needing a grade."""

from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from leads.models import Lead
from leads.services import capture
from scoring import services
from scoring.grades import grade_for, grades_at_or_above
from scoring.models import GradeRule, ScoringRule
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def blank_slate(db):
    """Scores and grades come only from the rules a test adds."""
    ScoringRule.objects.all().delete()
    GradeRule.objects.all().delete()


def add_grade_rule(field, operator, value="", points=10):
    return GradeRule.objects.create(
        name=f"{field} {operator} {value}", field=field, operator=operator, value=value, points=points
    )


def graded(lead) -> Lead:
    services.score_lead(lead.pk)
    lead.refresh_from_db()
    return lead


def test_grade_thresholds_split_profile_points_into_a_to_d():
    assert [grade_for(points, (75, 50, 25)) for points in (100, 75, 74, 50, 49, 25, 24, 0, -30)] == list("AABBCCDDD")
    assert grades_at_or_above("B") == ["A", "B"]
    assert grades_at_or_above("") == ["A", "B", "C", "D"]


def test_a_lead_is_graded_by_its_fit_to_the_profile_beside_its_score():
    add_grade_rule("employees", "gte", "500", 40)
    add_grade_rule("title", "contains", "VP, Head, Chief, Director", 25)
    add_grade_rule("industry", "in", "Software, Healthcare", 20)
    add_grade_rule("budget_confirmed", "equals", "true", 15)
    ScoringRule.objects.create(name="web", field="source", operator="equals", value="web", points=30)

    ideal = graded(
        LeadFactory(employees=900, title="VP Sales", industry="software", budget_confirmed=True, source="web")
    )
    middling = graded(LeadFactory(employees=900, title="Analyst", industry="Retail", source="web"))
    poor = graded(LeadFactory(employees=5, title="Intern", industry="Retail", source="web"))

    assert (ideal.grade, ideal.score) == ("A", 30)
    assert (middling.grade, middling.score) == ("C", 30)
    assert (poor.grade, poor.score) == ("D", 30)
    assert services.explain_grade(ideal)["points"] == 100


def test_without_grade_rules_leads_stay_ungraded():
    lead = graded(LeadFactory(employees=5000))

    assert lead.grade == ""
    assert services.explain_grade(lead)["grade"] == ""


def test_thresholds_are_settings(settings):
    add_grade_rule("employees", "gte", "100", 30)
    settings.FUNNEL_GRADE_A, settings.FUNNEL_GRADE_B, settings.FUNNEL_GRADE_C = 30, 20, 10

    assert graded(LeadFactory(employees=150)).grade == "A"


def test_budget_answers_count_towards_the_grade(django_capture_on_commit_callbacks):
    add_grade_rule("budget_amount", "gte", "25000", 60)
    lead = LeadFactory(budget_amount=Decimal("10000"))
    assert graded(lead).grade == "D"

    with django_capture_on_commit_callbacks(execute=True):
        capture.update_lead(lead, by=None, data={"budget_amount": Decimal("30000")})

    # The edit's lead.updated event rescored (and so regraded) the lead.
    lead.refresh_from_db()
    assert lead.grade == "B"


def test_a_grade_rule_change_regrades_every_lead(admin, django_capture_on_commit_callbacks):
    leads = [graded(LeadFactory(country=country)) for country in ("Germany", "France", "Spain")]
    assert {lead.grade for lead in leads} == {""}

    with django_capture_on_commit_callbacks(execute=True):
        rule = services.create_grade_rule(
            by=admin, name="Core market", field="country", operator="in", value="Germany, France", points=80
        )
    assert [Lead.objects.get(pk=lead.pk).grade for lead in leads] == ["A", "A", "D"]

    with django_capture_on_commit_callbacks(execute=True):
        services.update_grade_rule(rule, by=admin, data={"points": 30})
    assert [Lead.objects.get(pk=lead.pk).grade for lead in leads] == ["C", "C", "D"]

    with django_capture_on_commit_callbacks(execute=True):
        services.delete_grade_rule(rule, by=admin)
    assert [Lead.objects.get(pk=lead.pk).grade for lead in leads] == ["", "", ""]


def test_reps_may_not_change_grade_rules(rep):
    from core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.create_grade_rule(by=rep, name="x", field="country", operator="equals", value="DE", points=5)


def test_a_bad_grade_rule_is_refused_naming_the_field(admin):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.create_grade_rule(by=admin, name="x", field="employees", operator="contains", value="5", points=5)
    assert "operator" in refused.value.message_dict
    assert not GradeRule.objects.exists()


# --- MQL needing a grade as well as the score -----------------------------------------------------------------
@pytest.fixture
def mql_needs_b(settings):
    settings.FUNNEL_MQL_THRESHOLD = 50
    settings.FUNNEL_MQL_MIN_GRADE = "B"
    ScoringRule.objects.create(name="web", field="source", operator="equals", value="web", points=60)
    add_grade_rule("employees", "gte", "500", 60)


@pytest.mark.usefixtures("mql_needs_b")
def test_an_mql_needs_the_minimum_grade_as_well_as_the_score():
    good_fit = graded(LeadFactory(source="web", employees=1000))
    poor_fit = graded(LeadFactory(source="web", employees=10))
    low_score = graded(LeadFactory(source="referral", employees=1000))

    assert (good_fit.score, good_fit.grade, good_fit.mql_at is not None, good_fit.holds_mql) == (60, "B", True, True)
    assert (poor_fit.score, poor_fit.grade, poor_fit.mql_at, poor_fit.holds_mql) == (60, "D", None, False)
    assert (low_score.grade, low_score.mql_at) == ("B", None)


@pytest.mark.usefixtures("mql_needs_b")
def test_the_bulk_rescore_honours_the_minimum_grade_too(django_capture_on_commit_callbacks):
    good_fit = LeadFactory(source="web", employees=1000)
    poor_fit = LeadFactory(source="web", employees=10)

    services.rescore_leads(chunk_size=1)

    assert Lead.objects.get(pk=good_fit.pk).mql_at is not None
    assert Lead.objects.get(pk=poor_fit.pk).mql_at is None
    # Once the fit improves, the lead reaches MQL.
    with django_capture_on_commit_callbacks(execute=True):
        capture.update_lead(poor_fit, by=None, data={"employees": 800})
    assert Lead.objects.get(pk=poor_fit.pk).mql_at is not None


def test_without_a_minimum_grade_the_score_alone_makes_an_mql(settings):
    settings.FUNNEL_MQL_THRESHOLD = 50
    ScoringRule.objects.create(name="web", field="source", operator="equals", value="web", points=60)
    add_grade_rule("employees", "gte", "500", 60)

    assert graded(LeadFactory(source="web", employees=10)).mql_at is not None


# --- set-based == one by one --------------------------------------------------------------------------------
WORDS = ["ceo", "VP Sales", "Director", "analyst", "Head of IT", "acme", "Acme Corp", "globex", "de", "FR"]

text_rules = st.tuples(
    st.sampled_from(["title", "company", "industry", "country", "email"]),
    st.sampled_from(["equals", "not_equals", "in", "contains", "starts_with", "is_set", "is_blank"]),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=3),
)
number_rules = st.tuples(
    st.sampled_from(["employees", "annual_revenue", "budget_amount"]),
    st.sampled_from(["equals", "not_equals", "gte", "lte", "in", "is_set", "is_blank"]),
    st.lists(st.integers(0, 2000).map(str), min_size=1, max_size=2),
)
other_rules = st.sampled_from(
    [
        ("email", "free_mail", [""]),
        ("budget_confirmed", "equals", ["true"]),
        ("budget_confirmed", "not_equals", ["true"]),
        ("source", "in", ["web", "referral"]),
        ("status", "equals", ["working"]),
    ]
)
rules = st.lists(st.tuples(st.one_of(text_rules, number_rules, other_rules), st.integers(-60, 60)), max_size=8)
leads = st.lists(
    st.fixed_dictionaries(
        {
            "title": st.sampled_from(["", *WORDS]),
            "company": st.sampled_from(["", *WORDS]),
            "industry": st.sampled_from(["", "Software", "acme"]),
            "country": st.sampled_from(["", "de", "FR", "Germany"]),
            "domain": st.sampled_from(["", "gmail.com", "acme.example"]),
            "employees": st.one_of(st.none(), st.integers(0, 2000)),
            "annual_revenue": st.one_of(st.none(), st.integers(0, 10**7).map(Decimal)),
            "budget_amount": st.one_of(st.none(), st.integers(0, 5000).map(Decimal)),
            "budget_confirmed": st.booleans(),
            "source": st.sampled_from(["web", "referral", "webinar"]),
            "status": st.sampled_from(["new", "working"]),
        }
    ),
    min_size=1,
    max_size=6,
)
thresholds = st.tuples(st.integers(-50, 120), st.integers(-50, 120), st.integers(-50, 120)).map(
    lambda t: tuple(sorted(t, reverse=True))
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rule_set=rules, lead_specs=leads, grade_thresholds=thresholds, chunk_size=st.integers(1, 4))
def test_set_based_grades_equal_one_by_one_grades_for_random_leads_and_rules(
    rule_set, lead_specs, grade_thresholds, chunk_size
):
    from django.conf import settings as django_settings
    from django.test import override_settings

    assert django_settings.FUNNEL_MQL_MIN_GRADE == ""
    a, b, c = grade_thresholds
    with transaction.atomic(), override_settings(FUNNEL_GRADE_A=a, FUNNEL_GRADE_B=b, FUNNEL_GRADE_C=c):
        GradeRule.objects.all().delete()
        for (field, operator, items), points in rule_set:
            value = ", ".join(items) if operator in ("in", "contains", "starts_with") else items[0]
            add_grade_rule(field, operator, value, points)
        ids = []
        for index, spec in enumerate(lead_specs):
            fields = {key: value for key, value in spec.items() if key != "domain"}
            email = f"lead{index}@{spec['domain']}" if spec["domain"] else ""
            ids.append(Lead.objects.create(last_name=f"Lead {index}", email=email, **fields).pk)

        services.rescore_leads(chunk_size=chunk_size)
        bulk = list(Lead.objects.filter(pk__in=ids).order_by("pk").values_list("grade", flat=True))
        one_by_one = [services.explain_grade(lead)["grade"] for lead in Lead.objects.filter(pk__in=ids).order_by("pk")]
        Lead.objects.filter(pk__in=ids).update(grade="", scored_at=None)
        for lead_id in ids:
            services.score_lead(lead_id)
        single = list(Lead.objects.filter(pk__in=ids).order_by("pk").values_list("grade", flat=True))

        assert bulk == one_by_one
        assert single == one_by_one
        transaction.set_rollback(True)
