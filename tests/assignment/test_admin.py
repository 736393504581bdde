"""The admin of assignment rules: comma-separated names, checkboxes, and the model's validation."""

from assignment.models import AssignmentRule


def test_an_admin_creates_a_rule_with_comma_separated_countries(client, admin, team):
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    response = client.post(
        "/admin/assignment/assignmentrule/add/",
        {
            "order": 3,
            "name": "DACH",
            "active": "on",
            "sources": ["webinar", "referral"],
            "countries": "Germany, Austria ,Switzerland",
            "industries": "",
            "ratings": ["hot"],
            "target_team": team.pk,
            "method": "least_loaded",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    rule = AssignmentRule.objects.get(name="DACH")
    assert rule.countries == ["Germany", "Austria", "Switzerland"]
    assert (rule.sources, rule.ratings, rule.target_team) == (["webinar", "referral"], ["hot"], team)


def test_the_admin_refuses_a_rule_targeting_both_a_user_and_a_team(client, admin, team, rep):
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    response = client.post(
        "/admin/assignment/assignmentrule/add/",
        {"order": 1, "name": "Both", "target_user": rep.pk, "target_team": team.pk, "method": "round_robin"},
    )

    assert response.status_code == 200
    assert "one of them" in response.content.decode()
    assert not AssignmentRule.objects.filter(name="Both").exists()
