"""The qualification checklist (BANT / MEDDIC): completeness, qualifying with it required or not, the lead page's
panel, the API's fields, and the grade beside the score in the API and the lead list."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from leads.exceptions import QualificationIncomplete
from leads.models import Lead
from leads.qualification import missing_items
from leads.services import capture
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db

BANT = {"budget_amount": "25000.00", "budget_confirmed": True, "authority": "CFO", "need": "Forecasting"}
BANT_COMPLETE = {**BANT, "timeline_date": "2027-03-31"}


@pytest.fixture
def checklist_required(settings):
    settings.FUNNEL_QUALIFY_REQUIRES_CHECKLIST = True


def test_missing_items_follow_the_framework(settings):
    lead = LeadFactory(budget_amount=Decimal("100"), need="  ", champion="Ada")
    assert [item.key for item in missing_items(lead)] == ["authority", "need", "timeline"]
    settings.FUNNEL_QUALIFICATION_FRAMEWORK = "meddic"
    assert [item.key for item in missing_items(lead)][:2] == ["metrics", "economic_buyer"]
    assert "champion" not in [item.key for item in missing_items(lead)]


@pytest.mark.usefixtures("checklist_required")
def test_qualifying_needs_the_complete_checklist_when_the_setting_is_on(rep):
    lead = LeadFactory(owner=rep, budget_amount=Decimal("5000"), authority="CFO")

    with pytest.raises(QualificationIncomplete) as refused:
        capture.change_lead_status(lead, to="qualified", by=rep)

    assert refused.value.code == "qualification_incomplete"
    assert "Need, Timeline" in refused.value.detail
    lead.refresh_from_db()
    assert (lead.status, lead.qualified_at, lead.status_changes.count()) == ("new", None, 0)

    capture.update_lead(lead, by=rep, data={"need": "Forecasting", "timeline_date": date(2027, 1, 31)})
    assert capture.change_lead_status(lead, to="qualified", by=rep).qualified_at is not None


def test_qualifying_without_the_checklist_is_fine_when_the_setting_is_off(rep):
    lead = LeadFactory(owner=rep)
    assert capture.change_lead_status(lead, to="qualified", by=rep).status == "qualified"


@pytest.mark.usefixtures("checklist_required")
def test_meddic_installations_check_the_meddic_items(settings, rep):
    settings.FUNNEL_QUALIFICATION_FRAMEWORK = "meddic"
    lead = LeadFactory(owner=rep, **{k: v for k, v in BANT_COMPLETE.items() if k != "budget_amount"})
    with pytest.raises(QualificationIncomplete, match="Metrics, Economic buyer"):
        capture.change_lead_status(lead, to="qualified", by=rep)


@pytest.mark.usefixtures("checklist_required")
def test_the_api_refuses_to_qualify_an_incomplete_lead_naming_what_is_missing(api, rep):
    lead = LeadFactory(owner=rep)

    response = api(rep).patch(f"/api/v1/leads/{lead.pk}/", {"status": "qualified", "need": "CRM"}, format="json")

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "qualification_incomplete"
    assert "Budget, Authority, Timeline" in body["detail"]
    lead.refresh_from_db()
    assert (lead.status, lead.need) == ("new", "")  # nothing half-written


@pytest.mark.usefixtures("checklist_required")
def test_one_patch_may_fill_the_checklist_and_qualify(api, rep):
    lead = LeadFactory(owner=rep)

    response = api(rep).patch(f"/api/v1/leads/{lead.pk}/", {**BANT_COMPLETE, "status": "qualified"}, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "qualified"
    assert response.json()["timeline_date"] == "2027-03-31"


@pytest.mark.usefixtures("checklist_required")
def test_the_status_buttons_show_the_refusal(client, rep):
    lead = LeadFactory(owner=rep, authority="CFO")
    client.force_login(rep)

    response = client.post(reverse("leads:status", args=[lead.pk]), {"status": "qualified"})

    assert response.status_code == 302
    assert any("missing: Budget, Need, Timeline" in str(m) for m in get_messages(response.wsgi_request))
    lead.refresh_from_db()
    assert lead.status == "new"


def test_the_api_reads_and_writes_the_checklist_and_shows_the_grade_read_only(api, rep, other_rep):
    lead = LeadFactory(owner=rep)

    response = api(rep).patch(f"/api/v1/leads/{lead.pk}/", {**BANT_COMPLETE, "grade": "A"}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert {key: body[key] for key in BANT_COMPLETE} == BANT_COMPLETE
    assert body["grade"] == ""  # computed by the grade rules, never written through the API
    assert {"metrics", "economic_buyer", "decision_criteria", "decision_process", "identify_pain", "champion"} <= set(
        body
    )
    assert api(other_rep).patch(f"/api/v1/leads/{lead.pk}/", BANT, format="json").status_code == 404
    assert api(other_rep).get(f"/api/v1/leads/{lead.pk}/").status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [("budget_amount", "-5"), ("budget_amount", "lots"), ("timeline_date", "soon"), ("authority", "x" * 300)],
)
def test_bad_checklist_answers_are_a_400_naming_the_field(api, rep, field, value):
    lead = LeadFactory(owner=rep)
    response = api(rep).patch(f"/api/v1/leads/{lead.pk}/", {field: value}, format="json")
    assert response.status_code == 400 and field in response.json()


def test_the_api_filters_and_orders_by_grade_among_visible_leads(api, rep, other_rep):
    a = LeadFactory(owner=rep, grade="A")
    b = LeadFactory(owner=rep, grade="B")
    LeadFactory(owner=other_rep, grade="A")

    filtered = api(rep).get("/api/v1/leads/?grade=A")
    ordered = api(rep).get("/api/v1/leads/?ordering=grade")

    assert [row["id"] for row in filtered.json()["results"]] == [a.pk]
    assert [row["id"] for row in ordered.json()["results"]] == [a.pk, b.pk]
    assert api(rep).get("/api/v1/leads/?grade=E").status_code == 400


def test_the_lead_page_shows_the_grade_and_the_checklist_panel(client, rep):
    lead = LeadFactory(owner=rep, grade="B", budget_amount=Decimal("1200"), authority="CFO")
    client.force_login(rep)

    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    assert "Grade B" in page
    assert "Qualification · BANT" in page
    assert "Missing: Need, Timeline" in page
    assert reverse("leads:qualification", args=[lead.pk]) in page


def test_the_panel_saves_the_checklist_and_another_rep_gets_404(client, rep, other_rep):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)

    post = {"budget_amount": "9000", "budget_confirmed": "on", "authority": "CFO", "need": "x", "timeline_date": ""}
    response = client.post(reverse("leads:qualification", args=[lead.pk]), post)

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.budget_amount, lead.budget_confirmed, lead.authority, lead.timeline_date) == (
        Decimal("9000"),
        True,
        "CFO",
        None,
    )
    client.force_login(other_rep)
    assert client.post(reverse("leads:qualification", args=[lead.pk]), {"need": "sneaky"}).status_code == 404
    lead.refresh_from_db()
    assert lead.need == "x"


def test_a_bad_panel_answer_shows_the_page_again_with_the_error(client, rep):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)

    response = client.post(reverse("leads:qualification", args=[lead.pk]), {"timeline_date": "someday"})

    assert response.status_code == 400
    assert "Enter a valid date" in response.content.decode()


def test_the_lead_list_has_a_grade_column(client, rep):
    LeadFactory(owner=rep, grade="A")
    client.force_login(rep)
    page = client.get(reverse("leads:list")).content.decode()
    assert ">Grade<" in page or "Grade</" in page
    assert "grade-a" in page


def test_a_converted_lead_has_no_checklist_form(client, rep):
    lead = LeadFactory(owner=rep)
    Lead.objects.filter(pk=lead.pk).update(
        status="converted", converted_at=timezone.now(), converted_account=AccountFactory(owner=rep)
    )
    client.force_login(rep)
    page = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    assert "Qualification · BANT" in page and "Save qualification" not in page
    response = client.post(reverse("leads:qualification", args=[lead.pk]), {"need": "late"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.need == ""
