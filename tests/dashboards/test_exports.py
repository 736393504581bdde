"""Every report table as CSV and XLSX: typed numbers, formulas neutralised, the user's scope only."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.tables import TABLES
from tests.factories import ActivityFactory, LeadFactory

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("http://evil.example","x")'


@pytest.fixture
def books(rep, other_rep, team):
    """rep1 owns 2 web leads and logged 2 calls; rep2 (no team) owns a lead and is named like a formula."""
    other_rep.name = HOSTILE
    other_rep.save(update_fields=["name"])
    rep.name = "+Plus Rep"
    rep.save(update_fields=["name"])
    leads = [LeadFactory(owner=rep) for _ in range(2)]
    for lead in leads:
        ActivityFactory(owner=rep, lead=lead, kind="call", call_outcome="connected")
    mine = LeadFactory(owner=other_rep)
    ActivityFactory(owner=other_rep, lead=mine, kind="email")


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).active


def test_every_table_with_a_csv_also_exports_xlsx(client, admin, books):
    client.force_login(admin)
    for name in TABLES:
        response = client.get(reverse("dashboards:export-xlsx", args=[name]))
        sheet = _sheet(response)
        assert sheet.max_row >= 1, name
        assert '.xlsx"' in response["Content-Disposition"]


def test_xlsx_numbers_are_typed_cells(client, admin, books):
    client.force_login(admin)
    sheet = _sheet(client.get(reverse("dashboards:export-xlsx", args=["by_owner"])))
    header = [cell.value for cell in sheet[1]]
    leads = header.index("Leads")
    values = [row[leads].value for row in sheet.iter_rows(min_row=2)]
    assert sorted(values) == [1, 2]
    assert all(isinstance(value, int) for value in values)
    money = header.index(next(h for h in header if h.startswith("Won amount")))
    assert all(row[money].data_type == "n" for row in sheet.iter_rows(min_row=2))


def test_formulas_are_neutralised_in_csv_and_xlsx(client, admin, books):
    client.force_login(admin)
    sheet = _sheet(client.get(reverse("dashboards:export-xlsx", args=["activity_leaderboard"])))
    names = [row[1] for row in sheet.iter_rows(min_row=2)]
    assert {cell.value for cell in names} >= {"'" + HOSTILE, "'+Plus Rep"}
    assert all(cell.data_type == "s" for cell in names)
    body = client.get(reverse("dashboards:export", args=["activity_leaderboard"])).content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    assert "'" + HOSTILE in [row[1] for row in rows]
    assert not any(row[1].startswith("=") for row in rows)


def test_a_reps_export_holds_only_their_own_rows(client, rep, other_rep, books):
    client.force_login(rep)
    for name in ("activity_leaderboard", "activity_by_period", "by_owner"):
        sheet = _sheet(client.get(reverse("dashboards:export-xlsx", args=[name])))
        text = " ".join(str(cell.value) for row in sheet.iter_rows() for cell in row)
        assert "Plus Rep" in text, name
        assert "HYPERLINK" not in text, name
    csv_body = client.get(reverse("dashboards:export", args=["activity_leaderboard"])).content.decode()
    assert "HYPERLINK" not in csv_body


def test_the_activity_exports_follow_the_pages_period(client, admin, books):
    client.force_login(admin)
    response = client.get(reverse("dashboards:export", args=["activity_by_period"]), {"period": "day"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert sum(int(row[2]) for row in rows[1:]) == 2  # rep1's two calls, on today's row


def test_a_bad_option_or_table_is_refused(client, admin):
    client.force_login(admin)
    response = client.get(reverse("dashboards:export-xlsx", args=["activity_trend"]), {"period": "month"})
    assert response.status_code == 400
    assert b"period" in response.content
    assert client.get(reverse("dashboards:export-xlsx", args=["nope"])).status_code == 404


def test_pages_offer_csv_and_xlsx_side_by_side(client, manager):
    client.force_login(manager)
    for url in (reverse("dashboards:dashboard"), reverse("dashboards:activity")):
        body = client.get(url).content.decode()
        assert body.count(">CSV<") == body.count(">XLSX<") > 0
