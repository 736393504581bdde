"""Every dashboard filter lives in the URL and survives the others: preset, custom dates, team, owner, source."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.filters import preset_range
from tests.dashboards.page_controls import PageControls
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db

FORM_FIELDS = ["preset", "created_after", "created_before", "team", "owner", "source", "idle_days"]
KEPT = {"team", "owner", "source", "idle_days"}


def _page(client, params) -> PageControls:
    response = client.get(reverse("dashboards:dashboard"), params)
    assert response.status_code == 200, response.content.decode()[:500]
    return PageControls(response.content.decode())


def test_a_custom_range_with_every_filter_prefills_every_control(client, manager, rep, team):
    # given
    LeadFactory(owner=rep, source="webinar")
    params = {
        "created_after": "2026-01-01",
        "created_before": "2026-03-31",
        "team": str(team.pk),
        "owner": str(rep.pk),
        "source": "webinar",
        "idle_days": "7",
    }
    client.force_login(manager)
    # when
    page = _page(client, params)
    # then: date pickers, selects and the idle field show the URL's values; the preset is empty (custom)
    assert page.inputs["created_after"] == {"type": "date", "value": "2026-01-01"}
    assert page.inputs["created_before"] == {"type": "date", "value": "2026-03-31"}
    assert page.selected["team"] == str(team.pk)
    assert page.selected["owner"] == str(rep.pk)
    assert page.selected["source"] == "webinar"
    assert page.inputs["idle_days"]["value"] == "7"
    assert page.inputs["preset"] == {"type": "hidden", "value": ""}
    assert page.form_params(FORM_FIELDS) == {"preset": "", **params}


def test_preset_links_keep_team_owner_source_and_idle_days_and_drop_the_dates(client, manager, rep, team):
    client.force_login(manager)
    page = _page(
        client,
        {
            "created_after": "2026-01-01",
            "created_before": "2026-03-31",
            "team": team.pk,
            "owner": rep.pk,
            "source": "webinar",
            "idle_days": 7,
        },
    )
    link = page.link("Last 90 days")
    assert link.path == "/dashboard/"
    assert link.params == {
        "preset": "last_90",
        "team": str(team.pk),
        "owner": str(rep.pk),
        "source": "webinar",
        "idle_days": "7",
    }
    assert "aria-current" not in link.attrs  # the page shows a custom range


def test_a_preset_stays_when_another_filter_is_applied(client, manager, rep):
    # given: the manager picked "Last 90 days"
    client.force_login(manager)
    page = _page(client, {"preset": "last_90"})
    after, before = preset_range("last_90")
    assert page.inputs["preset"]["value"] == "last_90"
    assert page.inputs["created_after"]["value"] == after.isoformat()  # the pickers show the preset's range
    assert page.inputs["created_before"]["value"] == before.isoformat()
    # when: they pick a source and an owner and press Apply (the form sends every control as pre-filled)
    submitted = {**page.form_params(FORM_FIELDS), "source": "referral", "owner": str(rep.pk)}
    page = _page(client, submitted)
    # then: still the rolling preset, with the new filters
    assert page.inputs["preset"]["value"] == "last_90"
    assert page.link("Last 90 days").attrs.get("aria-current") == "true"
    assert page.selected["source"] == "referral"
    assert page.selected["owner"] == str(rep.pk)
    assert page.inputs["created_after"]["value"] == after.isoformat()


def test_changing_a_date_turns_the_preset_into_a_custom_range(client, manager):
    client.force_login(manager)
    page = _page(client, {"preset": "last_30", "source": "webinar"})
    start = timezone.localdate() - timedelta(days=10)
    submitted = {**page.form_params(FORM_FIELDS), "created_after": start.isoformat()}
    page = _page(client, submitted)
    assert page.inputs["preset"]["value"] == ""
    assert page.inputs["created_after"]["value"] == start.isoformat()
    assert page.selected["source"] == "webinar"
    assert all("aria-current" not in page.link(label).attrs for label in ["Last 30 days", "This month"])


def test_a_preset_link_keeps_the_other_filters_when_followed(client, manager, rep, team):
    client.force_login(manager)
    page = _page(client, {"preset": "this_month", "team": team.pk, "source": "web"})
    page = _page(client, page.link("Year to date").params)
    after, before = preset_range("ytd")
    assert page.inputs["preset"]["value"] == "ytd"
    assert page.inputs["created_after"]["value"] == after.isoformat()
    assert page.inputs["created_before"]["value"] == before.isoformat()
    assert page.selected["team"] == str(team.pk)
    assert page.selected["source"] == "web"


def test_csv_links_carry_every_filter_of_the_page(client, manager, rep, team):
    client.force_login(manager)
    page = _page(client, {"preset": "last_90", "team": team.pk, "owner": rep.pk, "source": "webinar", "idle_days": 3})
    after, before = preset_range("last_90")
    csv_links = page.links_to("/dashboard/export/")
    assert len(csv_links) == 20  # a CSV and an XLSX link per table
    for link in csv_links:
        assert link.params == {
            "preset": "last_90",
            "created_after": after.isoformat(),
            "created_before": before.isoformat(),
            "team": str(team.pk),
            "owner": str(rep.pk),
            "source": "webinar",
            "idle_days": "3",
        }, link.href


def test_funnel_stage_links_keep_the_range_owner_and_source(client, manager, rep):
    LeadFactory(owner=rep, source="webinar")
    client.force_login(manager)
    page = _page(client, {"preset": "last_90", "owner": rep.pk, "source": "webinar"})
    after, before = preset_range("last_90")
    stage_links = [link for link in page.links_to("/leads/") if link.params.get("status")]
    assert len(stage_links) == 5
    for link in stage_links:
        assert {key: link.params[key] for key in ["created_after", "created_before", "owner", "source"]} == {
            "created_after": after.isoformat(),
            "created_before": before.isoformat(),
            "owner": str(rep.pk),
            "source": "webinar",
        }


def test_a_bad_filter_keeps_the_rest_of_the_form_and_the_presets(client, manager, rep):
    client.force_login(manager)
    response = client.get(
        reverse("dashboards:dashboard"),
        {"created_after": "2026-03-31", "created_before": "2026-01-01", "source": "webinar", "owner": rep.pk},
    )
    assert response.status_code == 400
    page = PageControls(response.content.decode())
    assert page.selected["source"] == "webinar"
    assert page.selected["owner"] == str(rep.pk)
    assert page.inputs["created_after"]["value"] == "2026-03-31"
    assert page.link("Last 30 days").params == {"preset": "last_30"}
    assert "must not be before its start" in response.content.decode()
