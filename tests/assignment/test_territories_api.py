"""`/api/v1/territories/`: managers and admins configure territories; reps cannot; bad ranges name the field."""

from assignment.models import AssignmentRule, Territory
from tests.factories import AccountFactory, UserFactory

URL = "/api/v1/territories/"


def test_a_manager_creates_a_territory_with_reps_and_a_rule_targets_it(api, manager, rep):
    account = AccountFactory(owner=rep)

    response = api(manager).post(
        URL,
        {
            "name": "Berlin",
            "countries": ["Germany"],
            "postal_ranges": ["10000-14999"],
            "reps": [rep.pk],
            "named_accounts": [account.pk],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    territory = Territory.objects.get(name="Berlin")
    assert list(territory.reps.all()) == [rep] and list(territory.named_accounts.all()) == [account]
    rule = api(manager).post(
        "/api/v1/assignment-rules/", {"name": "Berlin", "target_territory": territory.pk}, format="json"
    )
    assert rule.status_code == 201, rule.content
    assert AssignmentRule.objects.get(name="Berlin").target_territory == territory


def test_a_rep_may_not_read_or_write_territories(api, rep, other_rep):
    territory = Territory.objects.create(name="North")

    assert api(rep).get(URL).status_code == 403
    assert api(rep).post(URL, {"name": "Mine"}, format="json").status_code == 403
    assert api(other_rep).delete(f"{URL}{territory.pk}/").status_code == 403
    assert Territory.objects.filter(pk=territory.pk).exists()


def test_a_malformed_postal_range_is_a_400_naming_the_field(api, manager):
    response = api(manager).post(URL, {"name": "Bad", "postal_ranges": ["999-100"]}, format="json")

    assert response.status_code == 400
    assert "postal_ranges" in response.json()
    assert not Territory.objects.exists()


def test_a_manager_cannot_put_a_rep_they_cannot_see_in_a_territory(api, manager):
    stranger = UserFactory(username="stranger", role="rep")

    response = api(manager).post(URL, {"name": "T", "reps": [stranger.pk]}, format="json")

    assert response.status_code == 400 and "reps" in response.json()


def test_a_territory_a_rule_targets_cannot_be_deleted(api, admin):
    territory = Territory.objects.create(name="Held")
    AssignmentRule.objects.create(name="Uses it", target_territory=territory)

    response = api(admin).delete(f"{URL}{territory.pk}/")

    assert response.status_code == 409
    assert Territory.objects.filter(pk=territory.pk).exists()


def test_a_rule_with_two_targets_is_refused(api, admin, rep):
    territory = Territory.objects.create(name="T")

    response = api(admin).post(
        "/api/v1/assignment-rules/",
        {"name": "Two", "target_user": rep.pk, "target_territory": territory.pk},
        format="json",
    )

    assert response.status_code == 400 and "target_team" in response.json()
