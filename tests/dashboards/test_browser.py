"""The dashboard in a real browser: the SVG charts render and a funnel stage opens the filtered lead list.

The lead list page (`/leads/`) is built on another branch, so the click is checked by the URL it opens (path and
query), not by the list's content.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from leads.models import Lead
from tests.factories import AccountFactory, LeadFactory

pytestmark = [pytest.mark.chromium, pytest.mark.django_db(transaction=True)]


def test_the_funnel_renders_and_a_click_on_a_stage_opens_the_filtered_lead_list(page, live_server, manager, rep):
    # given: a small funnel for the manager's team
    now = timezone.now()
    for i in range(6):
        LeadFactory(owner=rep, source="webinar", mql_at=now if i < 4 else None)
    LeadFactory(
        owner=rep,
        source="webinar",
        status=Lead.Status.CONVERTED,
        mql_at=now,
        qualified_at=now,
        converted_at=now,
        converted_account=AccountFactory(owner=rep),
    )
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", manager.username)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    # when
    page.goto(f"{live_server.url}/dashboard/?preset=this_month&source=webinar")

    # then: five labelled stage shapes, as wide as their counts
    stages = page.locator("svg.funnel a.funnel-stage")
    assert stages.count() == 5
    labels = page.locator("svg.funnel .funnel-label").all_text_contents()
    assert labels == ["Leads: 7", "MQLs: 5", "SQLs: 1", "Converted: 1", "Won: 0"]
    widths = [
        page.locator(f"svg.funnel a[data-stage={key}] polygon").bounding_box()["width"] for key in ("lead", "mql")
    ]
    assert widths[0] > widths[1] > 0
    assert page.locator("svg.chart").count() >= 5

    # when: the MQL stage is clicked
    page.locator("svg.funnel a[data-stage=mql] polygon").click()
    page.wait_for_url("**/leads/**")

    # then: the lead list opens filtered to the MQLs of the same range and source
    url = urlsplit(page.url)
    query = parse_qs(url.query)
    assert url.path == "/leads/"
    today = timezone.localdate()
    assert query == {
        "created_after": [today.replace(day=1).isoformat()],
        "created_before": [today.isoformat()],
        "owner": ["any"],
        "source": ["webinar"],
        "status": ["all"],
        "mql": ["yes"],
    }


def test_a_table_sorts_by_the_clicked_column(page, live_server, admin, rep, other_rep):
    for _ in range(3):
        LeadFactory(owner=other_rep, source="web")
    LeadFactory(owner=rep, source="webinar")
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", admin.username)
    page.fill("input[name=password]", "correct horse battery")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/dashboard/")

    leads_header = page.locator("table[data-table=by_source] thead th button", has_text="Leads")
    leads_header.click()
    first_column = page.locator("table[data-table=by_source] tbody tr td:first-child")
    assert first_column.all_inner_texts() == ["Webinar", "Web"]
    leads_header.click()
    assert first_column.all_inner_texts() == ["Web", "Webinar"]
