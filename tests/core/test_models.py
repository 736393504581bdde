import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from leads.models import Lead
from leads.services import capture as services
from opportunities.models import Stage
from tests.factories import AccountFactory, LeadFactory

pytestmark = pytest.mark.django_db


def test_a_converted_lead_must_have_converted_at_and_account():
    lead = LeadFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Lead.objects.filter(pk=lead.pk).update(status=Lead.Status.CONVERTED)


def test_a_converted_lead_with_its_stamps_is_accepted():
    lead = LeadFactory()
    account = AccountFactory()
    Lead.objects.filter(pk=lead.pk).update(
        status=Lead.Status.CONVERTED, converted_at=timezone.now(), converted_account=account
    )
    assert Lead.objects.get(pk=lead.pk).is_converted


def test_two_open_leads_cannot_share_an_email_whatever_its_case():
    LeadFactory(email="ann@acme.example")
    with pytest.raises(IntegrityError), transaction.atomic():
        LeadFactory(email="ANN@acme.example")


def test_a_converted_lead_frees_its_email_for_a_new_lead():
    lead = LeadFactory(email="ann@acme.example")
    Lead.objects.filter(pk=lead.pk).update(
        status=Lead.Status.CONVERTED, converted_at=timezone.now(), converted_account=AccountFactory()
    )
    assert LeadFactory(email="ann@acme.example").pk


def test_leads_without_email_do_not_clash():
    LeadFactory(email="")
    assert LeadFactory(email="").pk


def test_the_default_stages_are_seeded_with_their_flags():
    stages = {s.name: (s.order, s.probability, s.is_closed, s.is_won) for s in Stage.objects.all()}
    assert stages == {
        "Prospecting": (1, 10, False, False),
        "Qualification": (2, 20, False, False),
        "Needs Analysis": (3, 40, False, False),
        "Proposal": (4, 60, False, False),
        "Negotiation": (5, 80, False, False),
        "Closed Won": (6, 100, True, True),
        "Closed Lost": (7, 0, True, False),
    }


def test_a_won_stage_must_be_closed():
    with pytest.raises(IntegrityError), transaction.atomic():
        Stage.objects.create(name="Odd", order=99, probability=100, is_closed=False, is_won=True)


def test_create_lead_normalises_email_and_refuses_an_open_duplicate(rep):
    services.create_lead(by=rep, last_name="Lovelace", email="  Ada@Example.COM ")
    assert Lead.objects.get().email == "ada@example.com"
    with pytest.raises(ValidationError) as excinfo:
        services.create_lead(by=rep, last_name="Byron", email="ada@example.com")
    assert "email" in excinfo.value.message_dict


def test_a_rep_owns_the_lead_they_create_and_a_manager_leaves_it_unassigned(rep, manager):
    assert services.create_lead(by=rep, last_name="A").owner == rep
    assert services.create_lead(by=manager, last_name="B").owner is None


def test_status_changes_are_recorded_and_the_sql_milestone_is_stamped_once(rep):
    lead = services.create_lead(by=rep, last_name="Lovelace")
    lead = services.change_lead_status(lead, to=Lead.Status.QUALIFIED, by=rep)
    first = lead.qualified_at
    lead = services.change_lead_status(lead, to=Lead.Status.WORKING, by=rep)
    lead = services.change_lead_status(lead, to=Lead.Status.QUALIFIED, by=rep)
    assert lead.qualified_at == first
    history = list(lead.status_changes.values_list("from_status", "to_status", "changed_by"))
    assert history == [
        ("", "new", rep.pk),
        ("new", "qualified", rep.pk),
        ("qualified", "working", rep.pk),
        ("working", "qualified", rep.pk),
    ]


def test_a_converted_lead_is_read_only_in_services(rep):
    lead = LeadFactory(owner=rep)
    Lead.objects.filter(pk=lead.pk).update(
        status=Lead.Status.CONVERTED, converted_at=timezone.now(), converted_account=AccountFactory()
    )
    from leads.exceptions import LeadConverted

    with pytest.raises(LeadConverted):
        services.update_lead(lead, by=rep, data={"company": "Other"})
    with pytest.raises(LeadConverted):
        services.change_lead_status(lead, to=Lead.Status.WORKING, by=rep)
