import pytest
from django.urls import reverse

from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_the_login_page_is_served(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert b"Sign in" in response.content


def test_the_home_page_needs_a_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_a_rep_signs_in_and_sees_their_leads_but_not_another_reps(client, rep, other_rep):
    LeadFactory(owner=rep, last_name="Mine")
    LeadFactory(owner=other_rep, last_name="Theirs")
    response = client.post(reverse("login"), {"username": "rep1", "password": "correct horse battery"}, follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Mine" in content
    assert "Theirs" not in content


def test_the_home_page_costs_a_fixed_number_of_queries(client, rep, django_assert_max_num_queries):
    for _ in range(30):
        LeadFactory(owner=rep)
    client.force_login(rep)
    # The lead list: session, user, a page of leads, its count (estimate and capped count on PostgreSQL), session save
    with django_assert_max_num_queries(8):
        assert client.get(reverse("home")).status_code == 200


def test_logout_ends_the_session(client, rep):
    client.force_login(rep)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_health_reports_database_and_broker_without_authentication(client):
    response = client.get("/api/v1/health/")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"status", "database", "broker"}
    assert body["status"] == "ok" and body["database"] == "ok"
    assert body["broker"] in {"ok", "down"}


def test_lead_markup_is_escaped(client, rep):
    LeadFactory(owner=rep, last_name="<img src=x onerror=alert(1)>")
    client.force_login(rep)
    content = client.get(reverse("home")).content.decode()
    assert "<img src=x" not in content
    assert "&lt;img src=x onerror=alert(1)&gt;" in content
