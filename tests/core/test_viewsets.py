"""Idempotent POSTs (`core.viewsets.IdempotentMixin`), through the lead endpoint."""

import pytest

from core.models import IdempotencyKey
from leads.models import Lead

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_throttles")]


def test_the_same_idempotency_key_twice_creates_one_lead_and_replays_the_response(rep, api):
    client = api(rep)
    first = client.post("/api/v1/leads/", {"last_name": "Doe"}, HTTP_IDEMPOTENCY_KEY="k-1")
    second = client.post("/api/v1/leads/", {"last_name": "Doe"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert first.content == second.content
    assert second["Idempotent-Replayed"] == "true"
    assert Lead.objects.count() == 1


def test_an_idempotency_key_is_per_user_and_refuses_a_different_body(rep, other_rep, api):
    api(rep).post("/api/v1/leads/", {"last_name": "Doe"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert api(other_rep).post("/api/v1/leads/", {"last_name": "Roe"}, HTTP_IDEMPOTENCY_KEY="k-1").status_code == 201
    reused = api(rep).post("/api/v1/leads/", {"last_name": "Other"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert Lead.objects.count() == 2


def test_an_expired_idempotency_key_does_the_work_again(rep, api):
    from datetime import timedelta

    from django.utils import timezone

    api(rep).post("/api/v1/leads/", {"last_name": "Doe"}, HTTP_IDEMPOTENCY_KEY="k-1")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    api(rep).post("/api/v1/leads/", {"last_name": "Doe"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert Lead.objects.count() == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_with_one_idempotency_key_create_one_lead(rep):
    import threading

    from django.db import connection
    from rest_framework.test import APIClient

    barrier, codes = threading.Barrier(4), []

    def post():
        client = APIClient()
        client.force_authenticate(rep)
        barrier.wait()
        try:
            codes.append(client.post("/api/v1/leads/", {"last_name": "Doe"}, HTTP_IDEMPOTENCY_KEY="race").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Lead.objects.count() == 1
    assert sorted(set(codes)) <= [201, 409]
    assert codes.count(201) >= 1
