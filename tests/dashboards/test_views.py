"""The dashboard page, its CSV exports and `GET /api/v1/reports/funnel/`: who sees which numbers."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.tables import csv_cell, write_csv
from leads.models import Lead
from opportunities.models import Stage
from tests.factories import AccountFactory, LeadFactory, OpportunityFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def west(other_rep):
    team = TeamFactory(name="West", manager=UserFactory(username="manager2", role="manager"))
    other_rep.team = team
    other_rep.save(update_fields=["team"])
    return team


def _converted(owner, *, source="web", won_amount=None):
    account = AccountFactory(owner=owner)
    opportunity = None
    if won_amount is not None:
        opportunity = OpportunityFactory(
            owner=owner, account=account, stage=Stage.objects.get(name="Closed Won"), amount=won_amount
        )
    now = timezone.now()
    return LeadFactory(
        owner=owner,
        source=source,
        status=Lead.Status.CONVERTED,
        mql_at=now,
        qualified_at=now,
        converted_at=now,
        converted_account=account,
        converted_opportunity=opportunity,
    )


def _stage_counts(body):
    return {stage["key"]: stage["count"] for stage in body["stages"]}


def test_a_manager_sees_their_teams_funnel_but_never_another_teams(api, manager, rep, other_rep, west):
    # given
    LeadFactory(owner=rep, source="webinar")
    _converted(rep, source="webinar", won_amount="5000.00")
    _converted(other_rep, source="referral", won_amount="9000.00")
    LeadFactory(owner=other_rep, source="referral")
    # when
    body = api(manager).get("/api/v1/reports/funnel/").json()
    # then
    assert _stage_counts(body) == {"lead": 2, "mql": 1, "sql": 1, "converted": 1, "won": 1}
    assert [row["source"] for row in body["by_source"]] == ["webinar"]
    assert body["by_source"][0]["won_amount"] == "5000.00"
    assert body["by_source"][0]["conversion_rate"] == 0.5
    assert [row["owner"] for row in body["by_owner"]] == [rep.pk]
    assert body["avg_days_to_convert"] is not None


def test_a_rep_sees_only_their_own_numbers(api, rep, other_rep):
    LeadFactory(owner=rep)
    LeadFactory(owner=other_rep)
    LeadFactory(owner=None)
    body = api(other_rep).get("/api/v1/reports/funnel/").json()
    assert _stage_counts(body)["lead"] == 1
    assert [row["owner"] for row in body["by_owner"]] == [other_rep.pk]


def test_an_admin_sees_everything(api, admin, rep, other_rep):
    LeadFactory(owner=rep)
    LeadFactory(owner=other_rep)
    LeadFactory(owner=None)
    assert _stage_counts(api(admin).get("/api/v1/reports/funnel/").json())["lead"] == 3


def test_filtering_by_another_teams_team_or_owner_is_refused_with_a_400(api, manager, other_rep, west):
    LeadFactory(owner=other_rep)
    client = api(manager)
    by_team = client.get("/api/v1/reports/funnel/", {"team": west.pk})
    by_owner = client.get("/api/v1/reports/funnel/", {"owner": other_rep.pk})
    assert by_team.status_code == 400 and "team" in by_team.json()
    assert by_owner.status_code == 400 and "owner" in by_owner.json()


def test_a_rep_may_not_filter_by_a_teammate(api, rep, team):
    teammate = UserFactory(username="rep3", team=team)
    LeadFactory(owner=teammate)
    response = api(rep).get("/api/v1/reports/funnel/", {"owner": teammate.pk})
    assert response.status_code == 400
    assert "owner" in response.json()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"created_after": "yesterday"}, "created_after"),
        ({"created_after": "2026-05-01", "created_before": "2026-04-01"}, "created_before"),
        ({"source": "carrier_pigeon"}, "source"),
        ({"preset": "forever"}, "preset"),
        ({"team": "x"}, "team"),
    ],
)
def test_bad_filters_get_a_400_naming_the_field(api, manager, params, field):
    response = api(manager).get("/api/v1/reports/funnel/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_the_report_needs_credentials(api):
    assert api().get("/api/v1/reports/funnel/").status_code == 401


def test_the_date_range_and_source_narrow_the_cohort(api, admin, rep):
    old = LeadFactory(owner=rep, source="web")
    Lead.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=200))
    LeadFactory(owner=rep, source="web")
    LeadFactory(owner=rep, source="webinar")
    client = api(admin)
    assert _stage_counts(client.get("/api/v1/reports/funnel/").json())["lead"] == 2
    assert _stage_counts(client.get("/api/v1/reports/funnel/", {"preset": "ytd", "source": "web"}).json())["lead"] == (
        2 if (timezone.now() - timedelta(days=200)).year == timezone.now().year else 1
    )
    today = timezone.localdate()
    wide = {"created_after": (today - timedelta(days=365)).isoformat(), "created_before": today.isoformat()}
    assert _stage_counts(client.get("/api/v1/reports/funnel/", wide).json())["lead"] == 3


def test_the_pipeline_ignores_the_date_range_and_weights_by_probability(api, manager, rep):
    opportunity = OpportunityFactory(owner=rep, amount="1000.00", probability=25)
    OpportunityFactory(owner=rep, amount="500.00", probability=10, stage=Stage.objects.get(name="Closed Lost"))
    type(opportunity).objects.filter(pk=opportunity.pk).update(created_at=timezone.now() - timedelta(days=400))
    body = api(manager).get("/api/v1/reports/funnel/").json()
    assert body["pipeline"] == [
        {
            "stage": opportunity.stage_id,
            "name": "Prospecting",
            "count": 1,
            "amount": "1000.00",
            "weighted_amount": "250.00",
        }
    ]


def test_the_openapi_schema_describes_the_report_and_its_errors(api, admin):
    schema = api(admin).get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/reports/funnel/"]["get"]
    assert {"200", "400", "401"} <= set(operation["responses"])
    assert "conversion_rate" in str(schema["components"]["schemas"])


def test_the_dashboard_page_shows_the_funnel_chart_and_tables(client, manager, rep):
    _converted(rep, won_amount="1200.00")
    LeadFactory(owner=rep)
    client.force_login(manager)
    response = client.get(reverse("dashboards:dashboard"))
    content = response.content.decode()
    assert response.status_code == 200
    assert content.count('class="funnel-stage"') == 5
    assert "Leads: 2" in content and "Won: 1" in content
    assert "/dashboard/export/by_source.csv?" in content


def test_the_dashboard_page_costs_a_fixed_number_of_queries(client, manager, rep, django_assert_max_num_queries):
    for i in range(12):
        LeadFactory(owner=rep, source=["web", "webinar", "referral"][i % 3])
        _converted(rep, won_amount="100.00")
        OpportunityFactory(owner=rep)
    client.force_login(manager)
    # Every panel is one query whatever the data (funnel, sources, reps, grade-by-score matrix, SDR-sourced pipeline
    # …), plus session, user, unread notifications and the session save.
    with django_assert_max_num_queries(24):
        assert client.get(reverse("dashboards:dashboard")).status_code == 200


def test_the_dashboard_page_needs_a_login(client):
    response = client.get(reverse("dashboards:dashboard"))
    assert response.status_code == 302


def test_the_dashboard_page_answers_bad_filters_with_a_400_and_the_message(client, manager, west):
    client.force_login(manager)
    response = client.get(reverse("dashboards:dashboard"), {"team": west.pk})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_owner_names_are_escaped_on_the_page(client, admin):
    rep = UserFactory(username="sneaky", name="<script>alert(1)</script>")
    LeadFactory(owner=rep)
    client.force_login(admin)
    content = client.get(reverse("dashboards:dashboard")).content.decode()
    assert "<script>alert(1)" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_quoted():
    assert [csv_cell(v) for v in ["=SUM(A1)", "+1", "-2", "@cmd", "\tx", "\rx", "plain", 3, None]] == [
        "'=SUM(A1)",
        "'+1",
        "'-2",
        "'@cmd",
        "'\tx",
        "'\rx",
        "plain",
        "3",
        "",
    ]
    text = write_csv([("reason", "Reason")], [{"reason": '=HYPERLINK("http://evil")'}])
    assert list(csv.reader(io.StringIO(text))) == [["Reason"], ['\'=HYPERLINK("http://evil")']]


def test_the_csv_export_carries_the_visible_numbers_and_escapes_formulas(client, manager, rep, other_rep, west):
    OpportunityFactory(
        owner=rep,
        stage=Stage.objects.get(name="Closed Lost"),
        lost_reason="=cmd|' /C calc'!A0",
        amount="10.00",
        closed_at=timezone.now(),
    )
    OpportunityFactory(
        owner=other_rep, stage=Stage.objects.get(name="Closed Lost"), lost_reason="Theirs", closed_at=timezone.now()
    )
    client.force_login(manager)
    response = client.get(reverse("dashboards:export", args=["lost_reasons"]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["Reason", "Deals", "Amount (USD)"], ["'=cmd|' /C calc'!A0", "1", "10.00"]]


def test_every_table_exports_as_csv(client, admin, rep):
    _converted(rep, won_amount="10.00")
    client.force_login(admin)
    for table in [
        "funnel",
        "by_source",
        "by_owner",
        "velocity",
        "time_in_status",
        "pipeline",
        "revenue_by_month",
        "lost_reasons",
        "trend",
        "unattended",
    ]:
        response = client.get(reverse("dashboards:export", args=[table]))
        assert response.status_code == 200, table
        assert len(list(csv.reader(io.StringIO(response.content.decode())))) >= 1


def test_an_unknown_export_is_a_404(client, admin):
    client.force_login(admin)
    assert client.get("/dashboard/export/passwords.csv").status_code == 404


def test_funnel_stages_link_to_the_lead_list_filtered_to_the_stage(client, manager, rep):
    LeadFactory(owner=rep, source="webinar")
    client.force_login(manager)
    content = client.get(
        reverse("dashboards:dashboard"),
        {"created_after": "2026-01-01", "created_before": "2026-03-31", "owner": rep.pk, "source": "webinar"},
    ).content.decode()
    base = f"created_after=2026-01-01&amp;created_before=2026-03-31&amp;owner={rep.pk}&amp;source=webinar"
    assert f'href="/leads/?{base}&amp;status=all&amp;mql=yes"' in content
    assert f'href="/leads/?{base}&amp;status=converted"' in content
    assert f'href="/leads/?{base}&amp;status=converted&amp;won=yes"' in content
