"""Saved views in the browser's pages: save from a list, the navigation menu, open, rename, delete."""

import pytest
from django.urls import reverse

from tests.factories import LeadFactory, TeamFactory, UserFactory
from workspace.models import SavedView
from workspace.services import create_saved_view

pytestmark = pytest.mark.django_db


def test_every_list_offers_save_view_with_its_current_query(client, rep):
    client.force_login(rep)
    for name in ["leads:list", "accounts:list", "contacts:list", "opportunities:list"]:
        html = client.get(reverse(name), {"sort": "-created_at", "cols": "owner", "after": "x~1"}).content.decode()
        assert f'action="{reverse("workspace:create")}"' in html, name
        assert 'name="query" value="sort=-created_at&amp;cols=owner"' in html, name
        assert f'name="list_key" value="{name.split(":")[0]}"' in html, name


def test_saving_a_view_keeps_filters_sort_and_columns_and_opens_it(client, rep):
    client.force_login(rep)
    response = client.post(
        reverse("workspace:create"),
        {"name": "Working by company", "list_key": "leads", "query": "status=working&sort=company&cols=company"},
    )
    view = SavedView.objects.get()
    assert (view.owner, view.query) == (rep, "status=working&sort=company&cols=company")
    assert response.status_code == 302 and response["Location"] == "/leads/?status=working&sort=company&cols=company"


def test_a_manager_shares_a_view_with_a_team_they_manage_from_the_list(client, rep, manager, team):
    client.force_login(manager)
    html = client.get(reverse("leads:list")).content.decode()
    assert f'<option value="{team.pk}">Team East</option>' in html
    client.post(
        reverse("workspace:create"),
        {"name": "East's hot leads", "list_key": "leads", "query": "rating=hot", "shared_with_team": team.pk},
    )
    view = SavedView.objects.get()
    assert (view.owner, view.shared_with_team) == (manager, team)
    client.force_login(rep)
    assert "East&#x27;s hot leads" in client.get(reverse("workspace:list")).content.decode()


def test_a_rep_is_offered_no_sharing_and_a_manager_may_not_share_with_another_managers_team(client, rep, manager):
    client.force_login(rep)
    assert 'name="shared_with_team"' not in client.get(reverse("leads:list")).content.decode()
    west = TeamFactory(name="West", manager=UserFactory(username="west_boss", role="manager"))
    client.force_login(manager)
    assert "Team West" not in client.get(reverse("leads:list")).content.decode()
    client.post(
        reverse("workspace:create"),
        {"name": "Theirs", "list_key": "leads", "query": "", "shared_with_team": west.pk},
    )
    assert not SavedView.objects.exists()


def test_a_duplicate_name_is_refused_with_a_message_and_back_to_the_list(client, rep):
    create_saved_view(by=rep, list_key="leads", name="Hot")
    client.force_login(rep)
    response = client.post(
        reverse("workspace:create"),
        {"name": "hot", "list_key": "leads", "query": "rating=hot", "next": "/leads/?rating=hot"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/leads/?rating=hot"
    assert "already have a view with this name" in response.content.decode()
    assert SavedView.objects.count() == 1


def test_a_blank_name_is_refused(client, rep):
    client.force_login(rep)
    response = client.post(reverse("workspace:create"), {"name": "", "list_key": "leads"}, follow=True)
    assert "The view was not saved" in response.content.decode()
    assert not SavedView.objects.exists()


def test_the_navigation_menu_lists_own_and_team_views_grouped_by_list(client, rep, other_rep, manager, team):
    create_saved_view(by=rep, list_key="leads", name="My hot leads", query="rating=hot")
    create_saved_view(by=rep, list_key="accounts", name="Big accounts", query="sort=-employees")
    create_saved_view(by=manager, list_key="leads", name="Team queue", shared_with_team=team)
    create_saved_view(by=other_rep, list_key="leads", name="Not yours")
    client.force_login(rep)
    html = client.get(reverse("workspace:menu")).content.decode()
    assert html.index("Leads") < html.index("My hot leads") < html.index("Team queue") < html.index("Accounts")
    assert "Big accounts" in html and 'href="/accounts/?sort=-employees"' in html
    assert "Not yours" not in html
    # Every page's navigation has the menu, which loads its list only when opened.
    page = client.get(reverse("accounts:list")).content.decode()
    assert f'data-saved-views="{reverse("workspace:menu")}"' in page


def test_the_menu_costs_fixed_queries(client, rep, django_assert_max_num_queries):
    for n in range(20):
        create_saved_view(by=rep, list_key="leads", name=f"View {n}")
    client.force_login(rep)
    # session, user, the views, session save (3 statements)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("workspace:menu")).status_code == 200


def test_opening_a_view_opens_its_list_with_the_query(client, rep):
    lead = LeadFactory(owner=rep, company="Initech")
    LeadFactory(owner=rep, company="Globex")
    view = create_saved_view(by=rep, list_key="leads", name="Initech", query="q=Initech&cols=company")
    client.force_login(rep)
    response = client.get(reverse("workspace:open", args=[view.pk]), follow=True)
    assert response.redirect_chain[-1][0] == "/leads/?q=Initech&cols=company"
    assert [row.pk for row in response.context["leads"]] == [lead.pk]


def test_a_rep_renames_and_deletes_their_own_view(client, rep):
    view = create_saved_view(by=rep, list_key="contacts", name="Old")
    client.force_login(rep)
    client.post(reverse("workspace:rename", args=[view.pk]), {"name": "New"})
    view.refresh_from_db()
    assert view.name == "New"
    assert "New" in client.get(reverse("workspace:list")).content.decode()
    client.post(reverse("workspace:delete", args=[view.pk]))
    assert not SavedView.objects.exists()


def test_another_reps_view_is_404_everywhere(client, rep, other_rep):
    view = create_saved_view(by=rep, list_key="leads", name="Mine")
    client.force_login(other_rep)
    assert client.get(reverse("workspace:open", args=[view.pk])).status_code == 404
    assert client.post(reverse("workspace:rename", args=[view.pk]), {"name": "x"}).status_code == 404
    assert client.post(reverse("workspace:delete", args=[view.pk])).status_code == 404
    assert "Mine" not in client.get(reverse("workspace:list")).content.decode()
    view.refresh_from_db()
    assert view.name == "Mine"


def test_a_team_member_opens_a_shared_view_but_may_not_change_it(client, rep, manager, team):
    view = create_saved_view(by=manager, list_key="leads", name="Team queue", shared_with_team=team)
    client.force_login(rep)
    assert client.get(reverse("workspace:open", args=[view.pk])).status_code == 302
    assert client.post(reverse("workspace:rename", args=[view.pk]), {"name": "x"}).status_code == 403
    assert client.post(reverse("workspace:delete", args=[view.pk])).status_code == 403
    page = client.get(reverse("workspace:list")).content.decode()
    assert "Team queue" in page and "Shared with you" in page
    assert SavedView.objects.get().name == "Team queue"


def test_the_pages_need_a_sign_in(client):
    for url in [reverse("workspace:list"), reverse("workspace:menu")]:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"]
