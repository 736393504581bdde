"""Inline edits of a lead: status (with undo), owner (managers), phone and title, one JSON call each."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from activities.models import Event
from leads.models import Lead, LeadStatusChange
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db


def inline(client, lead, field, value, **extra):
    body = json.dumps({"field": field, "value": value, **extra})
    return client.post(reverse("leads:inline", args=[lead.pk]), body, content_type="application/json")


def test_a_rep_saves_a_phone_number_in_place(client, rep):
    # given
    lead = LeadFactory(owner=rep, phone="")
    client.force_login(rep)

    # when
    response = inline(client, lead, "phone", "+1 555 0100")

    # then
    assert response.status_code == 200
    assert response.json() == {"field": "phone", "value": "+1 555 0100", "display": "+1 555 0100", "undo": None}
    assert Lead.objects.get(pk=lead.pk).phone == "+1 555 0100"


def test_a_too_long_title_answers_400_naming_the_field_and_saves_nothing(client, rep):
    lead = LeadFactory(owner=rep, title="CTO")
    client.force_login(rep)

    response = inline(client, lead, "title", "x" * 200)

    assert response.status_code == 400
    assert "title" in response.json()
    assert Lead.objects.get(pk=lead.pk).title == "CTO"


def test_an_unknown_status_or_field_answers_400_naming_it(client, rep):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)

    assert inline(client, lead, "status", "converted").json().keys() == {"status"}
    assert inline(client, lead, "score", 99).json().keys() == {"field"}
    malformed = client.post(reverse("leads:inline", args=[lead.pk]), "{", content_type="application/json")
    assert malformed.status_code == 400
    assert Lead.objects.get(pk=lead.pk).status == "new"


def test_a_status_change_is_recorded_and_can_be_undone_through_the_same_change(client, rep):
    # given
    lead = LeadFactory(owner=rep, status="new")
    client.force_login(rep)

    # when
    changed = inline(client, lead, "status", "working").json()
    undone = inline(client, lead, "status", changed["undo"]["value"], reason=changed["undo"]["reason"]).json()

    # then
    assert (changed["display"], changed["undo"]) == ("Working", {"value": "new", "reason": ""})
    assert undone["value"] == "new"
    assert Lead.objects.get(pk=lead.pk).status == "new"
    history = list(LeadStatusChange.objects.filter(lead=lead).values_list("from_status", "to_status"))
    assert history[-2:] == [("new", "working"), ("working", "new")]


def test_unqualified_needs_a_reason_and_its_undo_brings_the_reason_back(client, rep):
    lead = LeadFactory(owner=rep, status="working")
    client.force_login(rep)

    refused = inline(client, lead, "status", "unqualified")
    assert (refused.status_code, list(refused.json())) == (400, ["reason"])
    assert Lead.objects.get(pk=lead.pk).status == "working"

    inline(client, lead, "status", "unqualified", reason="No budget")
    back = inline(client, lead, "status", "working").json()
    assert back["undo"] == {"value": "unqualified", "reason": "No budget"}


def test_another_rep_gets_404(client, rep, other_rep):
    lead = LeadFactory(owner=rep, phone="1")
    client.force_login(other_rep)

    assert inline(client, lead, "phone", "2").status_code == 404
    assert client.get(reverse("leads:inline", args=[lead.pk]), {"field": "status"}).status_code == 404
    assert Lead.objects.get(pk=lead.pk).phone == "1"


def test_a_rep_cannot_change_the_owner(client, rep, team):
    lead = LeadFactory(owner=rep)
    teammate = type(rep).objects.create(username="mate", team=team)
    client.force_login(rep)

    response = inline(client, lead, "owner", teammate.pk)

    assert response.status_code == 403
    assert response.json()["field"] == "owner"
    assert Lead.objects.get(pk=lead.pk).owner == rep


def test_a_manager_reassigns_among_visible_users_and_the_timeline_records_it(client, rep, other_rep, manager):
    lead = LeadFactory(owner=rep)
    client.force_login(manager)

    outsider = inline(client, lead, "owner", other_rep.pk)
    assert (outsider.status_code, list(outsider.json())) == (400, ["owner"])
    choices = client.get(reverse("leads:inline", args=[lead.pk]), {"field": "owner"}).json()["choices"]
    assert str(other_rep.pk) not in [value for value, _label in choices]

    response = inline(client, lead, "owner", manager.pk)
    assert response.json()["display"] == manager.display_name
    assert Lead.objects.get(pk=lead.pk).owner == manager
    assert Event.objects.filter(lead=lead, kind="field_changed", data__field="owner").exists()


def test_a_converted_lead_is_read_only(client, rep):
    lead = LeadFactory(owner=rep)
    Lead.objects.filter(pk=lead.pk).update(
        status="converted", converted_at=timezone.now(), converted_account=AccountFactory(owner=rep)
    )
    client.force_login(rep)

    response = inline(client, lead, "phone", "123")

    assert response.status_code == 409
    assert response.json()["field"] == "phone"


def test_the_lead_page_marks_its_editable_values(client, rep):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)

    content = client.get(reverse("leads:detail", args=[lead.pk])).content.decode()

    url = reverse("leads:inline", args=[lead.pk])
    for field in ("phone", "title", "status"):
        assert f'data-inline="{url}" data-field="{field}"' in content
    assert 'data-field="owner"' not in content  # a rep does not pick owners


@pytest.mark.parametrize(
    "body",
    [
        "[1, 2]",
        '"phone"',
        '{"field": ["phone"], "value": "1"}',
        '{"field": "phone", "value": "a\\u0000b"}',
        '{"field": "owner", "value": 100000000000000000000000000000}',
        '{"field": "status", "value": {"to": "working"}}',
        '{"field": "status", "value": "unqualified", "reason": "' + "x" * 300 + '"}',
    ],
)
def test_hostile_bodies_answer_4xx_and_change_nothing(client, manager, rep, body):
    lead = LeadFactory(owner=rep, phone="1")
    client.force_login(manager)

    response = client.post(reverse("leads:inline", args=[lead.pk]), body, content_type="application/json")

    assert 400 <= response.status_code < 500
    saved = Lead.objects.get(pk=lead.pk)
    assert (saved.phone, saved.status, saved.owner) == ("1", "new", rep)


def test_a_form_post_works_as_well_as_json(client, rep):
    lead = LeadFactory(owner=rep)
    client.force_login(rep)

    response = client.post(reverse("leads:inline", args=[lead.pk]), {"field": "title", "value": "VP Sales"})

    assert response.json()["value"] == "VP Sales"
