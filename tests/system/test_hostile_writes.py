"""Hostile writes: read-only fields can't be mass-assigned, business records can't be deleted by accident,
and user text can't inject email headers."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import Account
from assignment.tasks import notify_new_owner_task
from leads.models import Lead
from tests.factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

FORGED_LEAD = {
    "score": 99, "rating": "hot", "mql_at": "2020-01-01T00:00:00Z", "qualified_at": "2020-01-01T00:00:00Z",
    "converted_at": "2020-01-01T00:00:00Z", "unsubscribed_at": "2020-01-01T00:00:00Z",
    "last_activity_at": "2020-01-01T00:00:00Z", "created_at": "2001-01-01T00:00:00Z",
    "updated_at": "2001-01-01T00:00:00Z", "id": 999_999,
}  # fmt: skip


def _assert_not_forged(lead: Lead) -> None:
    assert lead.pk != 999_999
    assert lead.score != 99 and lead.rating != "hot"
    assert None is lead.mql_at is lead.qualified_at is lead.converted_at is lead.unsubscribed_at
    assert lead.converted_account_id is None and lead.converted_opportunity_id is None
    assert lead.created_at.year > 2001 and lead.updated_at.year > 2001


def test_read_only_lead_fields_posted_to_the_api_are_ignored(rep, api):
    account = AccountFactory(owner=rep)
    response = api(rep).post(
        "/api/v1/leads/",
        {"last_name": "Forger", "email": "forger@example.test", "converted_account": account.pk, **FORGED_LEAD},
    )
    assert response.status_code == 201, response.content
    assert response.json()["score"] != 99 and response.json()["converted_account"] is None
    _assert_not_forged(Lead.objects.get(email="forger@example.test"))


def test_read_only_lead_fields_patched_through_the_api_are_ignored(rep, api):
    lead = LeadFactory(owner=rep, score=10, rating="cold")
    response = api(rep).patch(f"/api/v1/leads/{lead.pk}/", {"title": "CTO", **FORGED_LEAD})
    assert response.status_code == 200, response.content
    lead.refresh_from_db()
    assert lead.title == "CTO"
    _assert_not_forged(lead)


def test_a_client_cannot_mark_a_lead_converted_by_writing_its_status(rep, api):
    lead = LeadFactory(owner=rep)
    response = api(rep).patch(f"/api/v1/leads/{lead.pk}/", {"status": "converted"})
    assert response.status_code == 400
    assert "status" in response.json()
    assert Lead.objects.get(pk=lead.pk).status != "converted"


def test_read_only_account_and_opportunity_fields_are_ignored(rep, api):
    client = api(rep)
    account = client.post(
        "/api/v1/accounts/", {"name": "Acme", "domain": "evil.test", "website": "https://acme.test", "id": 77_777}
    )
    assert account.status_code == 201, account.content
    assert account.json()["domain"] == "acme.test" and account.json()["id"] != 77_777
    deal = client.post(
        "/api/v1/opportunities/",
        {"name": "Deal", "account": account.json()["id"], "closed_at": "2001-01-01T00:00:00Z"},
    )
    assert deal.status_code == 201, deal.content
    assert deal.json()["closed_at"] is None


def test_an_owner_written_by_a_rep_to_someone_else_is_refused(rep, other_rep, api):
    lead = LeadFactory(owner=rep)
    response = api(rep).patch(f"/api/v1/leads/{lead.pk}/", {"owner": other_rep.pk})
    assert response.status_code in {400, 403}
    assert Lead.objects.get(pk=lead.pk).owner == rep


@pytest.mark.parametrize("child", ["contact", "opportunity"])
def test_deleting_an_account_with_children_through_the_api_is_refused_with_409(rep, api, child):
    account = AccountFactory(owner=rep)
    (ContactFactory if child == "contact" else OpportunityFactory)(owner=rep, account=account)
    response = api(rep).delete(f"/api/v1/accounts/{account.pk}/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "contacts or opportunities" in response.json()["detail"]
    assert Account.objects.filter(pk=account.pk).exists()


@pytest.fixture
def staff(admin):
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    return admin


@pytest.mark.parametrize("child", ["contact", "opportunity"])
def test_deleting_an_account_with_children_in_admin_is_refused_with_a_message(client, staff, child):
    admin = staff
    account = AccountFactory(owner=admin)
    (ContactFactory if child == "contact" else OpportunityFactory)(owner=admin, account=account)
    client.force_login(admin)
    url = reverse("admin:accounts_account_delete", args=[account.pk])

    page = client.get(url)
    posted = client.post(url, {"post": "yes"})

    assert page.status_code == 200
    assert b"would require deleting the following protected related objects" in page.content
    assert posted.status_code in {200, 403}
    assert Account.objects.filter(pk=account.pk).exists()


def test_bulk_deleting_accounts_with_children_in_admin_deletes_none(client, staff):
    admin = staff
    kept = AccountFactory(owner=admin)
    ContactFactory(owner=admin, account=kept)
    client.force_login(admin)
    response = client.post(
        reverse("admin:accounts_account_changelist"),
        {"action": "delete_selected", "_selected_action": [kept.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert b"protected" in response.content
    assert Account.objects.filter(pk=kept.pk).exists()


def test_a_lead_name_cannot_inject_headers_into_the_new_owner_notice(rep):
    rep.email = "rep1@example.test"
    rep.save(update_fields=["email"])
    lead = LeadFactory(owner=rep, first_name="Ada\r\nBcc: victim@evil.test", last_name="Lovelace\nX-Evil: 1")
    mail.outbox = []

    notify_new_owner_task(lead.pk, rep.pk)

    assert len(mail.outbox) == 1
    message = mail.outbox[0].message()
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert mail.outbox[0].recipients() == ["rep1@example.test"]
    assert "\n" not in message["Subject"] and "\r" not in message["Subject"]
