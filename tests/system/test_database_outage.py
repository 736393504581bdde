"""PostgreSQL drops the connection in the middle of a request: a clean 503, and the next request works."""

from __future__ import annotations

import pytest
from django.db import connection, connections
from django.test import Client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _terminate_django_connection() -> None:
    """Kill this test's Django connection from a second connection, as a failover or restart would."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    finally:
        other.close()


def _signed_in_client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_a_dropped_connection_answers_the_api_with_a_json_503_and_the_next_request_works(rep):
    client = _signed_in_client(rep)
    assert client.get("/api/v1/leads/").status_code == 200

    _terminate_django_connection()
    response = client.get("/api/v1/leads/")

    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response.json()["code"] == "service_unavailable"
    assert response["Retry-After"] == "5"
    assert client.get("/api/v1/leads/").status_code == 200


def test_a_dropped_connection_answers_a_page_with_an_html_503_and_the_next_request_works(rep):
    client = _signed_in_client(rep)
    assert client.get("/leads/").status_code == 200

    _terminate_django_connection()
    response = client.get("/leads/")

    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/html")
    assert b"temporarily unavailable" in response.content.lower()
    assert client.get("/leads/").status_code == 200


def test_a_dropped_connection_during_a_write_answers_503_and_writes_nothing_half(rep):
    client = _signed_in_client(rep)
    _terminate_django_connection()
    response = client.post(
        "/api/v1/leads/", {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.test"},
        content_type="application/json",
    )  # fmt: skip

    assert response.status_code == 503
    created = client.post(
        "/api/v1/leads/", {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.test"},
        content_type="application/json",
    )  # fmt: skip
    assert created.status_code == 201
