"""Global search: what matches, who sees it, and what it costs in queries."""

from __future__ import annotations

import pytest

from search.selectors import MAX_LIMIT, search_records
from tests.factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def titles(results) -> list[str]:
    return [result.title for result in results]


def test_a_fragment_from_the_middle_of_a_company_finds_the_lead(rep):
    LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", company="Analytical Engines")

    results = search_records(rep, "lytical eng")

    assert titles(results) == ["Ada Lovelace"]
    assert results[0].type == "lead"
    assert results[0].url == f"/leads/{results[0].id}/"
    assert "Analytical Engines" in results[0].subtitle


@pytest.mark.parametrize(
    "fragment",
    ["velac", "a lovel", "ADA LOVELACE", "nce-engi", "0123 4", "ada@ana"],
    ids=["last name", "across first and last", "any case", "website", "phone", "email"],
)
def test_a_fragment_of_any_searched_field_finds_the_lead(rep, fragment):
    LeadFactory(
        owner=rep,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@analytical.example",
        phone="+44 20 0123 4567",
        website="https://difference-engines.example",
    )

    assert titles(search_records(rep, fragment)) == ["Ada Lovelace"]


def test_contacts_accounts_and_opportunities_are_found_by_their_fields(rep):
    account = AccountFactory(owner=rep, name="Globex Corporation", domain="globex.example", phone="+1 555 0100")
    ContactFactory(owner=rep, account=account, first_name="Hank", last_name="Scorpio", email="hank@globex.example")
    OpportunityFactory(owner=rep, account=account, name="Volcano lair rollout")

    assert {(r.type, r.title) for r in search_records(rep, "scorp")} == {("contact", "Hank Scorpio")}
    assert {(r.type, r.title) for r in search_records(rep, "obex corp")} == {
        ("account", "Globex Corporation"),
        ("opportunity", "Volcano lair rollout"),  # by its account's name
    }
    assert {(r.type, r.title) for r in search_records(rep, "lair roll")} == {("opportunity", "Volcano lair rollout")}
    assert ("account", "Globex Corporation") in {(r.type, r.title) for r in search_records(rep, "555 01")}


def test_accents_are_ignored_both_ways(rep):
    LeadFactory(owner=rep, first_name="Jürgen", last_name="Müller", company="Bäckerei")
    LeadFactory(owner=rep, first_name="Zoe", last_name="Muller", company="Bakery")

    assert sorted(titles(search_records(rep, "muller"))) == ["Jürgen Müller", "Zoe Muller"]
    assert sorted(titles(search_records(rep, "MÜLLER"))) == ["Jürgen Müller", "Zoe Muller"]
    assert titles(search_records(rep, "backer")) == ["Jürgen Müller"]


def test_two_characters_match_the_start_of_a_word_only(rep):
    LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", company="Orbit Co", email="a@x.example")
    LeadFactory(owner=rep, first_name="Bob", last_name="Smith", company="Zorbing Ltd", email="b@y.example")

    assert titles(search_records(rep, "or")) == ["Ada Lovelace"]


def test_a_query_under_two_characters_finds_nothing(rep):
    LeadFactory(owner=rep, first_name="Ada", last_name="A")

    assert search_records(rep, "a") == []
    assert search_records(rep, "  a  ") == []


def test_like_wildcards_in_the_query_are_taken_literally(rep):
    LeadFactory(owner=rep, first_name="Ada", last_name="Lovelace", company="100% Engines")
    LeadFactory(owner=rep, first_name="Bob", last_name="Smith", company="100 Engines")

    assert titles(search_records(rep, "100%")) == ["Ada Lovelace"]
    assert search_records(rep, "a_a") == []


def test_a_rep_never_finds_another_reps_records(rep, other_rep):
    account = AccountFactory(owner=other_rep, name="Secret Zyxcorp")
    LeadFactory(owner=other_rep, first_name="Hidden", last_name="Zyxlead", company="Zyxcorp")
    ContactFactory(owner=other_rep, account=account, last_name="Zyxcontact")
    OpportunityFactory(owner=other_rep, account=account, name="Zyx deal")
    mine = LeadFactory(owner=rep, first_name="Mine", last_name="Zyxmine")

    results = search_records(rep, "zyx")

    assert [(r.type, r.id) for r in results] == [("lead", mine.pk)]
    assert len(search_records(other_rep, "zyx")) == 4


def test_a_manager_finds_the_team_and_unassigned_leads_but_not_other_teams(rep, manager, other_rep):
    LeadFactory(owner=rep, first_name="", last_name="Quxteam")
    LeadFactory(owner=None, first_name="", last_name="Quxfree")
    LeadFactory(owner=other_rep, first_name="", last_name="Quxother")

    assert sorted(titles(search_records(manager, "qux"))) == ["Quxfree", "Quxteam"]


def test_types_narrow_the_search(rep):
    account = AccountFactory(owner=rep, name="Wumpus Inc")
    LeadFactory(owner=rep, last_name="Wumpus")
    OpportunityFactory(owner=rep, account=account, name="Wumpus hunt")

    assert {r.type for r in search_records(rep, "wumpus", types=("account", "lead"))} == {"account", "lead"}


def test_limit_caps_the_results_and_is_itself_capped(rep):
    for n in range(5):
        LeadFactory(owner=rep, last_name=f"Plonk{n}")

    assert len(search_records(rep, "plonk", limit=3)) == 3
    assert len(search_records(rep, "plonk", limit=MAX_LIMIT + 100)) == 5


def test_the_query_count_does_not_grow_with_the_matches(rep, django_assert_max_num_queries):
    for n in range(12):
        account = AccountFactory(owner=rep, name=f"Frobco {n}")
        ContactFactory(owner=rep, account=account, last_name=f"Frob{n}")
        OpportunityFactory(owner=rep, account=account, name=f"Frob deal {n}")
        LeadFactory(owner=rep, last_name=f"Frobnik{n}")

    with django_assert_max_num_queries(4):  # one per type
        results = search_records(rep, "frob", limit=MAX_LIMIT)

    assert len(results) == 48


def test_a_user_without_a_role_to_see_records_finds_nothing(db):
    inactive = UserFactory(username="gone", role="rep", is_active=False)
    LeadFactory(owner=inactive, last_name="Gonelead")

    assert search_records(inactive, "gonelead") == []
