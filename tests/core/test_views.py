"""The shared record pages (`core.views`) across accounts, contacts, opportunities and tasks, and the layout
and sign-in around every workspace page."""

import pytest
from django.urls import reverse

from opportunities.models import Stage

pytestmark = pytest.mark.django_db


# --- record pages ---------------------------------------------------------------------


def test_the_contact_and_opportunity_pages_cost_fixed_queries(client, rep, deal_world, django_assert_max_num_queries):
    _, contacts, deals = deal_world
    client.force_login(rep)
    # session, user, contact, deal roles, 2 timeline sources, attachments, unread notifications (the header's bell),
    # session save (3 statements)
    with django_assert_max_num_queries(11):
        assert client.get(reverse("contacts:detail", args=[contacts[0].pk])).status_code == 200
    # session, user, deal, stages, roles, history, source lead, 3 timeline sources, attachments, unread
    # notifications, session save (3 statements)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("opportunities:detail", args=[deals[0].pk]))
    assert contacts[0].full_name in response.content.decode()


def test_lists_cost_fixed_queries(client, rep, deal_world, django_assert_max_num_queries):
    client.force_login(rep)
    # Each page: session, user, its own queries, unread notifications (the header's bell), session save
    # (3 statements); a list also counts its records (a capped count, after the planner's estimate on PostgreSQL).
    # The board reads the stages twice: for its columns and for the inline stage picker.
    pins = {
        "accounts:list": 8,
        "contacts:list": 8,
        "opportunities:list": 8,
        "opportunities:board": 11,
        "activities:tasks": 8,
    }
    for name, pin in pins.items():
        with django_assert_max_num_queries(pin):
            assert client.get(reverse(name)).status_code == 200, name


def test_another_reps_account_contact_and_deal_are_404(client, rep, other_rep, deal_world):
    account, contacts, deals = deal_world
    client.force_login(other_rep)
    for url in [
        reverse("accounts:detail", args=[account.pk]),
        reverse("contacts:detail", args=[contacts[0].pk]),
        reverse("contacts:edit", args=[contacts[0].pk]),
        reverse("opportunities:detail", args=[deals[0].pk]),
    ]:
        assert client.get(url).status_code == 404, url
    stage = Stage.objects.get(name="Qualification")
    assert client.post(reverse("opportunities:move", args=[deals[0].pk]), {"stage": stage.pk}).status_code == 404
    assert (
        client.post(
            reverse("contacts:log_activity", args=[contacts[0].pk]), {"kind": "note", "subject": "x"}
        ).status_code
        == 404
    )
    listing = client.get(reverse("opportunities:board")).content.decode()
    assert deals[0].name not in listing


# --- layout and auth ----------------------------------------------------------------


def test_navigation_shows_my_funnel_to_reps_the_dashboard_to_managers_and_admin_to_admins(client, rep, manager, admin):
    client.force_login(rep)
    content = client.get(reverse("leads:list")).content.decode()
    assert "Pipeline" in content and 'href="/dashboard/"' in content and "My funnel" in content
    assert 'href="/admin/"' not in content
    client.force_login(manager)
    content = client.get(reverse("leads:list")).content.decode()
    assert 'href="/dashboard/"' in content and 'href="/admin/"' not in content
    client.force_login(admin)
    assert 'href="/admin/"' in client.get(reverse("leads:list")).content.decode()


def test_a_rep_changes_their_password(client, rep):
    client.force_login(rep)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": "wrong",
            "new_password1": "a-much-better-secret-42",
            "new_password2": "a-much-better-secret-42",
        },
    )
    assert "old_password" in response.context["form"].errors
    client.post(
        reverse("password_change"),
        {
            "old_password": "correct horse battery",
            "new_password1": "a-much-better-secret-42",
            "new_password2": "a-much-better-secret-42",
        },
    )
    rep.refresh_from_db()
    assert rep.check_password("a-much-better-secret-42")


def test_every_workspace_page_needs_a_login(client):
    for name in [
        "leads:list",
        "accounts:list",
        "contacts:list",
        "opportunities:list",
        "opportunities:board",
        "activities:tasks",
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith("/login/"), name
