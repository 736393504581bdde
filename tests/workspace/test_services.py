"""Saved views: who may save, share, change and see them."""

import pytest
from django.core.exceptions import ValidationError

from tests.factories import TeamFactory, UserFactory
from workspace.exceptions import SavedViewNotOwned, SavedViewShareForbidden
from workspace.models import SavedView
from workspace.services import create_saved_view, delete_saved_view, update_saved_view

pytestmark = pytest.mark.django_db


def test_a_rep_saves_a_lists_query_without_its_page_cursor(rep):
    view = create_saved_view(by=rep, list_key="leads", name=" Hot ", query="?status=working&sort=-score&after=x~3")
    assert (view.owner, view.name, view.query) == (rep, "Hot", "status=working&sort=-score")
    assert view.url == "/leads/?status=working&sort=-score"


def test_names_are_unique_per_owner_and_list_whatever_the_case(rep, other_rep):
    create_saved_view(by=rep, list_key="leads", name="Hot")
    with pytest.raises(ValidationError) as error:
        create_saved_view(by=rep, list_key="leads", name="hot")
    assert "name" in error.value.message_dict
    create_saved_view(by=rep, list_key="accounts", name="Hot")
    create_saved_view(by=other_rep, list_key="leads", name="Hot")
    assert SavedView.objects.count() == 3


def test_renaming_onto_another_views_name_is_refused(rep):
    create_saved_view(by=rep, list_key="leads", name="Hot")
    cold = create_saved_view(by=rep, list_key="leads", name="Cold")
    with pytest.raises(ValidationError):
        update_saved_view(cold, by=rep, data={"name": "HOT"})
    cold.refresh_from_db()
    assert cold.name == "Cold"


def test_an_unknown_list_a_blank_name_or_a_huge_query_is_refused_and_nothing_is_saved(rep):
    for kwargs, field in [
        ({"list_key": "users", "name": "x"}, "list_key"),
        ({"list_key": "leads", "name": "  "}, "name"),
        ({"list_key": "leads", "name": "x", "query": "q=" + "a" * 3000}, "query"),
    ]:
        with pytest.raises(ValidationError) as error:
            create_saved_view(by=rep, **kwargs)
        assert field in error.value.message_dict
    assert not SavedView.objects.exists()


def test_a_rep_may_not_share_a_view(rep, team):
    with pytest.raises(SavedViewShareForbidden):
        create_saved_view(by=rep, list_key="leads", name="Team", shared_with_team=team)
    assert not SavedView.objects.exists()


def test_a_manager_shares_only_with_a_team_they_manage(manager, team):
    view = create_saved_view(by=manager, list_key="leads", name="Team", shared_with_team=team)
    assert view.shared_with_team == team
    other_team = TeamFactory()
    with pytest.raises(SavedViewShareForbidden):
        update_saved_view(view, by=manager, data={"shared_with_team": other_team})
    view.refresh_from_db()
    assert view.shared_with_team == team


def test_an_admin_may_share_with_any_team(admin, team):
    view = create_saved_view(by=admin, list_key="opportunities", name="Big deals", shared_with_team=team)
    assert view.shared_with_team == team


def test_only_the_owner_changes_or_deletes_a_view(manager, team, rep):
    view = create_saved_view(by=manager, list_key="leads", name="Team", query="status=new", shared_with_team=team)
    with pytest.raises(SavedViewNotOwned):
        update_saved_view(view, by=rep, data={"name": "Mine now"})
    with pytest.raises(SavedViewNotOwned):
        delete_saved_view(view, by=rep)
    view = update_saved_view(view, by=manager, data={"name": "New leads", "query": "status=new&sort=company"})
    assert (view.name, view.query) == ("New leads", "status=new&sort=company")
    delete_saved_view(view, by=manager)
    assert not SavedView.objects.exists()


def test_visible_views_are_ones_own_the_teams_and_for_admins_all(rep, other_rep, manager, team, admin):
    own = create_saved_view(by=rep, list_key="leads", name="Mine")
    theirs = create_saved_view(by=other_rep, list_key="leads", name="Theirs")
    shared = create_saved_view(by=manager, list_key="leads", name="Team", shared_with_team=team)
    private = create_saved_view(by=manager, list_key="leads", name="Manager's own")
    outsider = UserFactory(role="manager")
    assert set(SavedView.objects.visible_to(rep)) == {own, shared}
    assert set(SavedView.objects.visible_to(other_rep)) == {theirs}
    assert set(SavedView.objects.visible_to(manager)) == {shared, private}
    assert set(SavedView.objects.visible_to(outsider)) == set()
    assert set(SavedView.objects.visible_to(admin)) == {own, theirs, shared, private}
    # The admin's menu lists their own and their teams' views, not everyone's.
    assert set(SavedView.objects.in_menu_of(admin)) == set()
