"""Who gets which funnel page: a rep's "My funnel" over their own records, a manager's team dashboard.

Decision ("First-run polish"): the dashboard is open to every role and scoped by `visible_to`, like the funnel
API; pages with no rep's version (the lead import, the admin) answer a rep 404, as records they may not see do.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from leads.models import Lead
from opportunities.models import Stage
from tests.dashboards.page_controls import PageControls
from tests.factories import AccountFactory, LeadFactory, OpportunityFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def west(other_rep):
    team = TeamFactory(name="West", manager=UserFactory(username="manager2", role="manager"))
    other_rep.team = team
    other_rep.save(update_fields=["team"])
    return team


def _won_lead(owner, amount: str, *, source: str = "web") -> Lead:
    account = AccountFactory(owner=owner)
    deal = OpportunityFactory(owner=owner, account=account, stage=Stage.objects.get(name="Closed Won"), amount=amount)
    now = timezone.now()
    return LeadFactory(
        owner=owner,
        source=source,
        status=Lead.Status.CONVERTED,
        mql_at=now,
        qualified_at=now,
        converted_at=now,
        converted_account=account,
        converted_opportunity=deal,
    )


@pytest.fixture
def two_books(rep, other_rep, west):
    """rep1 (team East) owns 3 leads and a $5,000 win; rep2 (team West) owns 5 leads and a $9,000 win."""
    for _ in range(2):
        LeadFactory(owner=rep, source="webinar")
    _won_lead(rep, "5000.00", source="webinar")
    for _ in range(4):
        LeadFactory(owner=other_rep, source="referral")
    _won_lead(other_rep, "9000.00", source="referral")


def test_a_rep_sees_my_funnel_with_only_their_own_numbers_and_the_nav_link(client, rep, other_rep, two_books):
    # when
    client.force_login(rep)
    response = client.get(reverse("dashboards:dashboard"))
    content = response.content.decode()
    # then
    assert response.status_code == 200
    assert "<h1>My funnel</h1>" in content
    assert '<a href="/dashboard/" aria-current="page">My funnel</a>' in content
    assert "Leads: 3" in content and "Won: 1" in content
    assert "$5,000" in content and "$9,000" not in content
    assert other_rep.display_name not in content
    controls = PageControls(content)
    assert "team" not in controls.selected and "owner" not in controls.selected  # no choice to make


def test_another_rep_sees_their_own_funnel_not_the_first_reps(client, other_rep, two_books):
    client.force_login(other_rep)
    content = client.get(reverse("dashboards:dashboard")).content.decode()
    assert "<h1>My funnel</h1>" in content
    assert "Leads: 5" in content
    assert "$9,000" in content and "$5,000" not in content


def test_a_rep_sees_the_my_funnel_link_on_every_page(client, rep):
    client.force_login(rep)
    content = client.get(reverse("leads:list")).content.decode()
    assert PageControls(content).link("My funnel").path == "/dashboard/"
    assert "Import" not in [link.text.strip() for link in PageControls(content).links]


def test_a_manager_sees_their_teams_dashboard_and_not_another_teams(client, manager, rep, other_rep, two_books):
    client.force_login(manager)
    content = client.get(reverse("dashboards:dashboard")).content.decode()
    assert "<h1>Funnel dashboard</h1>" in content
    assert '<a href="/dashboard/" aria-current="page">Dashboard</a>' in content
    assert "My funnel" not in content
    assert "Leads: 3" in content
    assert "$5,000" in content and "$9,000" not in content
    controls = PageControls(content)
    assert "owner" in controls.selected and "team" in controls.selected


def test_a_rep_may_not_widen_my_funnel_to_another_reps_records(client, rep, other_rep, two_books):
    client.force_login(rep)
    response = client.get(reverse("dashboards:dashboard"), {"owner": other_rep.pk})
    assert response.status_code == 400
    assert "owner" in response.content.decode()
    response = client.get(reverse("dashboards:export", args=["by_owner"]), {"owner": other_rep.pk})
    assert response.status_code == 400


def test_a_reps_csv_export_holds_only_their_own_rows(client, rep, other_rep, two_books):
    client.force_login(other_rep)
    response = client.get(reverse("dashboards:export", args=["by_owner"]))
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["Owner"] for row in rows] == [other_rep.display_name]
    assert rows[0]["Leads"] == "5"
    assert rows[0]["Won amount (USD)"] == "9000.00"


def test_a_rep_gets_404_on_the_import_page_where_a_manager_gets_the_form(client, rep, manager):
    client.force_login(rep)
    assert client.get(reverse("imports:upload")).status_code == 404
    client.force_login(manager)
    assert client.get(reverse("imports:upload")).status_code == 200


def test_a_rep_and_a_manager_get_404_on_the_admin_where_an_admin_gets_in(client, rep, manager, admin):
    for user in (rep, manager):
        client.force_login(user)
        assert client.get(reverse("admin:index")).status_code == 404, user.role
        assert client.get(reverse("admin:leads_lead_changelist")).status_code == 404, user.role
    client.force_login(admin)
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_signed_out_visitor_is_still_sent_to_the_admin_login(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]
