"""Users, teams and API tokens in the admin: every write goes through `users.services`, as in the API."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.admin import AdminServices
from tests.admin_forms import change_form_data
from tests.factories import AssignmentRuleFactory, TeamFactory, UserFactory
from users.admin import TeamAdmin
from users.models import ApiToken, SecurityEvent, Team, User
from users.services import create_api_token

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long and unusual phrase 42"


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_a_user_added_in_the_admin_gets_the_password_and_the_sales_fields_of_the_add_form(client, admin, team):
    # given
    client.force_login(admin)

    # when
    response = client.post(
        reverse("admin:users_user_add"),
        {
            "username": "grace",
            "usable_password": "true",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "name": "Grace Hopper",
            "email": "grace@example.test",
            "role": "manager",
            "team": team.pk,
        },
    )

    # then
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(username="grace")
    assert response["Location"] == reverse("admin:users_user_change", args=[user.pk])
    assert (user.name, user.email, user.role, user.team) == ("Grace Hopper", "grace@example.test", "manager", team)
    assert user.check_password(NEW_PASSWORD)


def test_a_user_added_without_password_sign_in_has_an_unusable_password(client, admin):
    # given
    client.force_login(admin)

    # when
    response = client.post(
        reverse("admin:users_user_add"), {"username": "bot", "usable_password": "false", "role": "rep"}
    )

    # then
    assert response.status_code == 302
    assert not User.objects.get(username="bot").has_usable_password()


def test_unticking_active_in_the_admin_deactivates_the_user_as_the_service_does(client, admin, rep):
    # given rep is signed in and has an API token
    rep_browser = Client()
    rep_browser.force_login(rep)
    token, _ = create_api_token(user=rep, name="zapier")
    client.force_login(admin)
    url = reverse("admin:users_user_change", args=[rep.pk])

    # when
    response = client.post(url, change_form_data(client, url, is_active=None))

    # then
    assert response.status_code == 302
    rep.refresh_from_db()
    token.refresh_from_db()
    assert not rep.is_active
    assert token.revoked_at is not None
    assert all(session.get_decoded().get("_auth_user_id") != str(rep.pk) for session in Session.objects.all())
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.USER_DEACTIVATED)
    assert (event.user, event.detail) == (admin, "deactivated rep1")


def test_the_deactivate_action_goes_through_the_service(client, admin, rep, other_rep):
    # given
    token, _ = create_api_token(user=rep, name="zapier")
    client.force_login(admin)

    # when
    response = client.post(
        reverse("admin:users_user_changelist"),
        {"action": "deactivate_selected", "_selected_action": [rep.pk, other_rep.pk]},
        follow=True,
    )

    # then
    assert response.status_code == 200
    assert not User.objects.filter(pk__in=[rep.pk, other_rep.pk], is_active=True).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.USER_DEACTIVATED).count() == 2


def test_the_change_form_saves_the_sales_fields_and_the_admin_access_through_the_service(client, admin, rep, team):
    # given
    group = Group.objects.create(name="Ops")
    client.force_login(admin)
    url = reverse("admin:users_user_change", args=[rep.pk])

    # when
    response = client.post(
        url,
        change_form_data(client, url, role="manager", team=team.pk, lead_capacity=25, is_staff="on", groups=[group.pk]),
    )

    # then
    assert response.status_code == 302
    rep.refresh_from_db()
    assert (rep.role, rep.team, rep.lead_capacity, rep.is_staff) == ("manager", team, 25, True)
    assert list(rep.groups.all()) == [group]
    assert rep.is_active


def test_users_are_never_deleted_in_the_admin(client, admin, rep):
    # given
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:users_user_delete", args=[rep.pk]), {"post": "yes"})

    # then
    assert response.status_code == 403
    assert User.objects.filter(pk=rep.pk, is_active=True).exists()


def test_the_change_forms_password_link_opens_the_password_page_and_sets_the_password(client, admin, rep):
    # given
    client.force_login(admin)
    change_page = client.get(reverse("admin:users_user_change", args=[rep.pk])).content.decode()
    password_url = reverse("admin:auth_user_password_change", args=[rep.pk])
    assert 'href="../password/"' in change_page
    assert client.get(password_url).status_code == 200

    # when
    response = client.post(
        password_url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )

    # then
    assert response.status_code == 200
    assert "Password changed successfully." in _messages(response)
    rep.refresh_from_db()
    assert rep.check_password(NEW_PASSWORD)


def test_the_password_page_can_turn_password_sign_in_off(client, admin, rep):
    # given
    client.force_login(admin)

    # when
    response = client.post(
        reverse("admin:auth_user_password_change", args=[rep.pk]),
        {"usable_password": "false", "unset-password": "1"},
        follow=True,
    )

    # then
    assert "Password-based authentication was disabled." in _messages(response)
    rep.refresh_from_db()
    assert not rep.has_usable_password()


def test_a_password_the_service_refuses_is_a_message_and_the_old_password_stays(client, admin, rep, monkeypatch):
    # given the service's validation is stricter than the form's
    def refuse(user, *, by, password):
        raise ValidationError({"password": ["Not this one."]})

    monkeypatch.setattr("users.admin.set_user_password", refuse)
    client.force_login(admin)
    url = reverse("admin:auth_user_password_change", args=[rep.pk])

    # when
    response = client.post(
        url, {"usable_password": "true", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )

    # then
    assert response.status_code == 200
    assert any("was not changed: password: Not this one." in message for message in _messages(response))
    rep.refresh_from_db()
    assert rep.check_password("correct horse battery")
    assert not LogEntry.objects.exists()


def test_a_teams_manager_is_changed_through_the_service(client, admin, team):
    # given
    new_manager = UserFactory(username="manager2", role="manager")
    client.force_login(admin)
    url = reverse("admin:users_team_change", args=[team.pk])

    # when
    response = client.post(url, change_form_data(client, url, manager=new_manager.pk))

    # then
    assert response.status_code == 302
    team.refresh_from_db()
    assert team.manager == new_manager


def test_a_team_is_added_and_deleted_through_the_admin_and_its_members_stay(client, admin, rep):
    # given
    client.force_login(admin)
    client.post(reverse("admin:users_team_add"), {"name": "West", "manager": admin.pk})
    team = Team.objects.get(name="West")
    rep.team = team
    rep.save(update_fields=["team"])

    # when
    response = client.post(reverse("admin:users_team_delete", args=[team.pk]), {"post": "yes"})

    # then
    assert response.status_code == 302
    assert not Team.objects.filter(name="West").exists()
    rep.refresh_from_db()
    assert rep.team is None


def test_a_team_that_assignment_rules_target_is_kept_with_a_message(client, admin, monkeypatch):
    # given the confirmation page was built before a rule started targeting the team
    team = TeamFactory(name="North")
    monkeypatch.setattr(TeamAdmin, "get_deleted_objects", lambda self, objs, request: ([], {}, set(), []))
    AssignmentRuleFactory(target_team=team)
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:users_team_delete", args=[team.pk]), {"post": "yes"}, follow=True)

    # then
    assert response.status_code == 200
    assert "Team “North” was not deleted: Assignment rules still send leads" in response.content.decode()
    assert Team.objects.filter(pk=team.pk).exists()
    assert not LogEntry.objects.exists()


def test_a_team_change_the_service_refuses_is_a_form_error(client, admin, team, monkeypatch):
    # given
    def refuse(team, *, by, data):
        raise ValidationError({"manager": ["Not this manager."]})

    monkeypatch.setattr(TeamAdmin, "services", AdminServices(create=None, update=refuse, delete=None))
    client.force_login(admin)
    url = reverse("admin:users_team_change", args=[team.pk])

    # when
    response = client.post(url, change_form_data(client, url, name="Renamed"))

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"manager": ["Not this manager."]}
    team.refresh_from_db()
    assert team.name == "East"


def test_an_api_token_added_in_the_admin_shows_its_key_once_and_records_the_event(client, admin, rep):
    # given
    client.force_login(admin)

    # when
    response = client.post(
        reverse("admin:users_apitoken_add"),
        {"user": rep.pk, "name": "hubspot", "scope": "read", "expires_at_0": "", "expires_at_1": "", "rate_limit": 30},
        follow=True,
    )

    # then
    assert response.status_code == 200
    token = ApiToken.objects.get(user=rep, name="hubspot")
    assert (token.scope, token.expires_at, token.rate_limit) == ("read", None, 30)
    [message] = [m for m in _messages(response) if "copy it now" in m]
    raw = message.split(" is ")[1].split(" ")[0]
    assert ApiToken.digest_of(raw) == token.digest
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TOKEN_CREATED, user=rep).exists()


def test_an_admin_scope_token_for_a_rep_is_refused_in_the_admin(client, admin, rep):
    client.force_login(admin)

    response = client.post(
        reverse("admin:users_apitoken_add"),
        {"user": rep.pk, "name": "ops", "scope": "admin", "expires_at_0": "", "expires_at_1": "", "rate_limit": ""},
    )

    assert response.status_code == 200
    assert "Only an admin can hold an admin-scope token." in response.content.decode()
    assert not ApiToken.objects.exists()


def test_api_tokens_are_revoked_by_the_action_and_never_edited_or_deleted(client, admin, rep):
    # given
    token, _ = create_api_token(user=rep, name="zapier")
    client.force_login(admin)
    change_url = reverse("admin:users_apitoken_change", args=[token.pk])

    # when
    edit = client.post(change_url, {"name": "renamed"})
    delete = client.post(reverse("admin:users_apitoken_delete", args=[token.pk]), {"post": "yes"})
    revoke = client.post(
        reverse("admin:users_apitoken_changelist"),
        {"action": "revoke_selected", "_selected_action": [token.pk]},
        follow=True,
    )

    # then
    assert edit.status_code == 302
    assert delete.status_code == 403
    assert "Revoked 1 token(s)." in _messages(revoke)
    token.refresh_from_db()
    assert (token.name, token.revoked_at is not None) == ("zapier", True)
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TOKEN_REVOKED, user=admin).exists()


def test_the_security_audit_is_read_only_in_the_admin(client, admin, rep):
    # given
    create_api_token(user=rep, name="zapier")
    event = SecurityEvent.objects.get()
    client.force_login(admin)

    # when
    page = client.get(reverse("admin:users_securityevent_change", args=[event.pk]))
    delete = client.post(reverse("admin:users_securityevent_delete", args=[event.pk]), {"post": "yes"})

    # then
    assert page.status_code == 200
    assert delete.status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


# --- sign-in security ---------------------------------------------------------------------------------------------


def test_the_user_page_shows_two_factor_and_the_sign_ins_and_failed_attempts_newest_first(client, admin, rep, enrol):
    # given
    enrol(rep)
    Client().post(reverse("login"), {"username": "rep1", "password": "wrong"})
    Client().post(reverse("login"), {"username": "rep1", "password": "correct horse battery"})
    client.force_login(admin)

    # when
    page = client.get(reverse("admin:users_user_change", args=[rep.pk])).content.decode()

    # then
    assert "On since" in page and "10 recovery codes left" in page
    log = page[page.index("Security log") :]
    assert log.index("Sign-in succeeded") < log.index("Sign-in failed") < log.index("Two-factor sign-in turned on")
    assert "password accepted; waiting for the second factor" in log


def test_an_admin_resets_a_users_two_factor_and_the_reset_is_logged(client, admin, rep, enrol):
    # given
    enrol(rep)
    client.force_login(admin)
    url = reverse("admin:users_user_two_factor_reset", args=[rep.pk])

    # when
    confirm = client.get(url)
    response = client.post(url)

    # then
    assert confirm.status_code == 200 and "Yes, reset two-factor sign-in" in confirm.content.decode()
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=rep).exists() and not StaticDevice.objects.filter(user=rep).exists()
    event = SecurityEvent.objects.get(kind=SecurityEvent.Kind.TWO_FACTOR_RESET)
    assert (event.user, event.detail) == (rep, "by admin1")
    assert "Off" in client.get(reverse("admin:users_user_change", args=[rep.pk])).content.decode()


def test_a_rep_or_a_staff_manager_cannot_see_or_reset_anothers_two_factor(client, rep, other_rep, manager, enrol):
    # given
    enrol(other_rep)
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    url = reverse("admin:users_user_two_factor_reset", args=[other_rep.pk])

    # when
    client.force_login(rep)
    as_rep = client.post(url)
    as_rep_devices = client.get("/admin/otp_totp/totpdevice/")
    client.force_login(manager)
    as_manager = client.post(url)

    # then
    assert as_rep.status_code == 404 and as_rep_devices.status_code == 404
    assert as_manager.status_code == 404  # the rep is not in the manager's team
    assert TOTPDevice.objects.filter(user=other_rep, confirmed=True).exists()


def test_a_staff_manager_cannot_reset_the_two_factor_of_their_own_rep(client, rep, manager, enrol):
    enrol(rep)
    manager.is_staff = True
    manager.save(update_fields=["is_staff"])
    client.force_login(manager)

    response = client.post(reverse("admin:users_user_two_factor_reset", args=[rep.pk]))

    assert response.status_code == 403
    assert TOTPDevice.objects.filter(user=rep, confirmed=True).exists()


def test_the_admin_does_not_list_devices_or_their_secrets(client, admin):
    client.force_login(admin)

    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
