"""Record history: who changed owner, status, stage, amount or close date, from what to what, and when —
written by the services in the same transaction, shown on the timeline and in admin."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.services import update_account
from activities.models import Event
from activities.selectors import get_timeline
from assignment.services import assign_lead
from contacts.services import update_contact
from leads.models import Lead
from leads.services.capture import change_lead_status, update_lead
from opportunities.models import Opportunity, Stage
from opportunities.services import move_opportunity_stage, update_opportunity
from tests.factories import AccountFactory, ContactFactory, LeadFactory, OpportunityFactory, UserFactory

pytestmark = pytest.mark.django_db


def _titles(user, **record) -> list[str]:
    return [item.title for item in get_timeline(user, **record)]


@pytest.fixture
def staff(manager):
    manager.is_staff = manager.is_superuser = True
    manager.save(update_fields=["is_staff", "is_superuser"])
    return manager


def test_a_leads_owner_and_status_changes_show_who_from_and_to_on_the_timeline(manager, rep):
    lead = LeadFactory(owner=rep)
    newcomer = UserFactory(username="newcomer", name="New Comer", team=rep.team)

    update_lead(lead, by=manager, data={"owner": newcomer})
    change_lead_status(lead, to=Lead.Status.WORKING, by=manager)

    titles = _titles(manager, lead=lead)
    assert f"Owner changed from {rep} to New Comer" in titles
    assert "Status changed from New to Working" in titles
    event = Event.objects.get(lead=lead, kind="field_changed", data__field="owner")
    assert (event.actor, event.data["from"], event.data["to"]) == (manager, rep.pk, newcomer.pk)


def test_assigning_a_lead_by_hand_records_the_previous_owner(manager, rep):
    lead = LeadFactory(owner=rep)
    newcomer = UserFactory(username="newcomer", name="New Comer", team=rep.team)

    assign_lead(lead, by=manager, owner=newcomer)

    assert Lead.objects.get(pk=lead.pk).owner == newcomer
    event = Event.objects.get(lead=lead, kind="assigned")
    assert (event.actor, event.data["previous_owner"]) == (manager, rep.pk)
    assert "New Comer" in event.summary and event.summary in _titles(manager, lead=lead)


def test_an_opportunitys_owner_amount_close_date_and_stage_show_on_its_timeline(manager, rep):
    deal = OpportunityFactory(owner=rep, amount=Decimal("100.00"), close_date=datetime.date(2030, 1, 31))
    newcomer = UserFactory(username="newcomer", name="New Comer", team=rep.team)
    negotiation = Stage.objects.get(name="Negotiation")

    update_opportunity(
        deal, by=manager, data={"owner": newcomer, "amount": Decimal("250.00"), "close_date": datetime.date(2030, 3, 1)}
    )
    move_opportunity_stage(deal, stage=negotiation, by=manager)

    titles = _titles(manager, opportunity=deal)
    assert f"Owner changed from {rep} to New Comer" in titles
    assert "Amount changed from 100.00 to 250.00" in titles
    assert "Close date changed from 2030-01-31 to 2030-03-01" in titles
    assert "Stage moved from Prospecting to Negotiation" in titles
    assert Opportunity.objects.get(pk=deal.pk).stage_changes.latest("id").changed_by == manager


def test_account_and_contact_owner_changes_show_on_their_timelines(manager, rep):
    account = AccountFactory(owner=rep)
    contact = ContactFactory(owner=rep, account=account)
    newcomer = UserFactory(username="newcomer", name="New Comer", team=rep.team)

    update_account(account, by=manager, data={"owner": newcomer})
    update_contact(contact, by=manager, data={"owner": newcomer})

    assert f"Owner changed from {rep} to New Comer" in _titles(manager, account=account)
    assert f"Owner changed from {rep} to New Comer" in _titles(manager, contact=contact)


def test_a_change_whose_history_cannot_be_written_is_not_saved_either(manager, rep, monkeypatch):
    lead = LeadFactory(owner=rep)
    newcomer = UserFactory(username="newcomer", team=rep.team)

    def failing_record_event(*args, **kwargs):
        raise RuntimeError("history write failed")

    monkeypatch.setattr("activities.services.record_events", failing_record_event)
    with pytest.raises(RuntimeError):
        update_lead(lead, by=manager, data={"owner": newcomer})

    assert Lead.objects.get(pk=lead.pk).owner == rep


def test_history_is_listed_read_only_in_admin(client, staff, rep):
    lead = LeadFactory(owner=rep)
    change_lead_status(lead, to=Lead.Status.WORKING, by=staff)
    update_lead(lead, by=staff, data={"owner": staff})
    deal = OpportunityFactory(owner=rep)
    move_opportunity_stage(deal, stage=Stage.objects.get(name="Negotiation"), by=staff)
    client.force_login(staff)

    events = client.get(reverse("admin:activities_event_changelist"), {"kind": "field_changed"})
    statuses = client.get(reverse("admin:leads_leadstatuschange_changelist"))
    stages = client.get(reverse("admin:opportunities_opportunitystagechange_changelist"))

    assert b"Owner changed from" in events.content
    assert statuses.status_code == stages.status_code == 200
    assert b"Working" in statuses.content
    assert b"Negotiation" in stages.content
    event = Event.objects.get(lead=lead, data__field="owner")
    change_page = client.get(reverse("admin:activities_event_change", args=[event.pk]))
    assert change_page.status_code == 200 and b'name="_save"' not in change_page.content
