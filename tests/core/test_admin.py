import pytest
from django.urls import reverse

from tests.factories import LeadFactory

pytestmark = pytest.mark.django_db


def test_a_user_with_the_admin_role_opens_the_admin_and_the_lead_change_list(client, admin):
    assert not admin.is_staff and not admin.is_superuser
    LeadFactory(last_name="Lovelace")
    client.force_login(admin)
    assert client.get(reverse("admin:index")).status_code == 200
    response = client.get(reverse("admin:leads_lead_changelist"))
    assert response.status_code == 200
    assert b"Lovelace" in response.content


def test_a_rep_cannot_open_the_admin(client, rep):
    client.force_login(rep)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 404


def test_the_lead_change_list_never_counts_more_than_the_cap(client, admin, django_assert_max_num_queries):
    for _ in range(5):
        LeadFactory()
    client.force_login(admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("admin:leads_lead_changelist"))
    assert response.status_code == 200
