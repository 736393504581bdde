"""The lead board: open leads in status columns with counts, only the user's visible ones, in a fixed number of
queries; moves go through the lead's status change."""

import pytest
from django.urls import reverse

from leads.board import CARDS_PER_COLUMN
from leads.models import Lead, LeadStatusChange
from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def board(client, **params):
    response = client.get(reverse("leads:board"), params)
    assert response.status_code == 200
    return {column.status: column for column in response.context["columns"]}


def test_open_leads_sit_in_their_status_columns_with_counts(client, rep):
    # given
    for status, n in (("new", 3), ("working", 2), ("nurturing", 1), ("qualified", 1)):
        LeadFactory.create_batch(n, owner=rep, status=status)
    LeadFactory(owner=rep, status="unqualified")

    # when
    client.force_login(rep)
    columns = board(client)

    # then: four columns, the unqualified lead in none of them
    assert list(columns) == ["new", "working", "nurturing", "qualified"]
    assert {s: c.count for s, c in columns.items()} == {"new": 3, "working": 2, "nurturing": 1, "qualified": 1}
    assert all(len(c.cards) == c.count for c in columns.values())
    assert all(card.status == status for status, c in columns.items() for card in c.cards)


def test_a_column_shows_its_newest_cards_and_counts_them_all(client, rep):
    # given
    LeadFactory.create_batch(CARDS_PER_COLUMN + 3, owner=rep, status="new")

    # when
    client.force_login(rep)
    response = client.get(reverse("leads:board"))
    new = response.context["columns"][0]

    # then
    assert (new.count, len(new.cards), new.hidden) == (CARDS_PER_COLUMN + 3, CARDS_PER_COLUMN, 3)
    newest = list(Lead.objects.filter(owner=rep).order_by("-created_at", "-id")[:CARDS_PER_COLUMN])
    assert [card.pk for card in new.cards] == [lead.pk for lead in newest]
    assert "…and 3 more" in response.content.decode()
    assert "status=new" in new.list_url


def test_a_rep_sees_only_their_own_leads_and_cannot_move_anyone_elses(client, rep, other_rep):
    # given
    theirs = LeadFactory(owner=rep, status="new", last_name="Lovelace")

    # when
    client.force_login(other_rep)
    columns = board(client)
    response = client.post(reverse("leads:inline", args=[theirs.pk]), {"field": "status", "value": "working"})
    plain = client.post(reverse("leads:status", args=[theirs.pk]), {"status": "working"})

    # then
    assert sum(c.count for c in columns.values()) == 0
    assert "Lovelace" not in client.get(reverse("leads:board")).content.decode()
    assert (response.status_code, plain.status_code) == (404, 404)
    assert Lead.objects.get(pk=theirs.pk).status == "new"


def test_a_manager_sees_the_teams_leads_and_filters_by_owner(client, rep, other_rep, manager):
    # given
    LeadFactory(owner=rep, status="working")
    LeadFactory(owner=other_rep, status="working")  # not in the manager's team
    LeadFactory(owner=None, status="new")

    # when
    client.force_login(manager)
    everyone = board(client)
    reps_only = board(client, owner=rep.pk)

    # then
    assert (everyone["working"].count, everyone["new"].count) == (1, 1)
    assert (reps_only["working"].count, reps_only["new"].count) == (1, 0)


def test_the_board_costs_the_same_queries_whatever_the_number_of_leads(
    client, rep, manager, django_assert_max_num_queries
):
    # given
    client.force_login(manager)
    LeadFactory.create_batch(2, owner=rep, status="new")
    with django_assert_max_num_queries(20) as few:
        board(client)

    # when
    for status in ("new", "working", "nurturing", "qualified"):
        LeadFactory.create_batch(12, owner=rep, status=status)

    # then
    with django_assert_max_num_queries(len(few.captured_queries)):
        board(client)


def test_a_move_from_the_board_without_javascript_goes_back_to_the_board(client, rep):
    # given
    lead = LeadFactory(owner=rep, status="new")
    client.force_login(rep)

    # when
    response = client.post(reverse("leads:status", args=[lead.pk]), {"status": "working", "next": "/leads/board/"})

    # then
    assert response["Location"] == "/leads/board/"
    assert Lead.objects.get(pk=lead.pk).status == "working"
    assert LeadStatusChange.objects.filter(lead=lead, from_status="new", to_status="working").exists()


def test_the_lead_list_links_to_the_board(client, rep):
    client.force_login(rep)
    assert f'href="{reverse("leads:board")}"' in client.get(reverse("leads:list")).content.decode()
