"""Opportunities and stages in the admin: writes go through `opportunities.services`, stage moves are recorded."""

import pytest
from django.urls import reverse

from activities.models import Event
from opportunities.models import Opportunity, OpportunityContactRole, OpportunityStageChange, Stage
from tests.admin_forms import change_form_data
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory

pytestmark = pytest.mark.django_db


def test_an_opportunity_added_in_the_admin_takes_its_stage_probability_and_starts_its_stage_history(client, admin):
    # given
    account = AccountFactory(owner=admin)
    proposal = Stage.objects.get(name="Proposal")
    client.force_login(admin)
    url = reverse("admin:opportunities_opportunity_add")

    # when
    response = client.post(
        url, change_form_data(client, url, name="Big deal", account=account.pk, stage=proposal.pk, amount="5000")
    )

    # then
    assert response.status_code == 302
    opportunity = Opportunity.objects.get(name="Big deal")
    assert (opportunity.probability, opportunity.owner) == (proposal.probability, admin)
    assert list(OpportunityStageChange.objects.values_list("from_stage", "to_stage", "changed_by")) == [
        (None, proposal.pk, admin.pk)
    ]


def test_moving_an_opportunity_to_another_stage_in_the_admin_records_the_stage_change(client, admin, rep):
    # given
    opportunity = OpportunityFactory(owner=rep)
    prospecting, negotiation = opportunity.stage, Stage.objects.get(name="Negotiation")
    client.force_login(admin)
    url = reverse("admin:opportunities_opportunity_change", args=[opportunity.pk])

    # when
    response = client.post(url, change_form_data(client, url, stage=negotiation.pk))

    # then
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert (opportunity.stage, opportunity.probability) == (negotiation, negotiation.probability)
    change = OpportunityStageChange.objects.get(opportunity=opportunity)
    assert (change.from_stage, change.to_stage, change.changed_by) == (prospecting, negotiation, admin)


def test_changing_an_opportunitys_owner_in_the_admin_records_it_on_the_timeline(client, admin, rep, other_rep):
    # given
    opportunity = OpportunityFactory(owner=rep)
    client.force_login(admin)
    url = reverse("admin:opportunities_opportunity_change", args=[opportunity.pk])

    # when
    client.post(url, change_form_data(client, url, owner=other_rep.pk))

    # then
    event = Event.objects.get(opportunity=opportunity, kind="field_changed")
    assert (event.actor, event.data) == (admin, {"field": "owner", "from": str(rep.pk), "to": str(other_rep.pk)})


def test_losing_a_deal_in_the_admin_without_a_reason_is_a_form_error_and_nothing_moves(client, admin, rep):
    # given
    opportunity = OpportunityFactory(owner=rep)
    client.force_login(admin)
    url = reverse("admin:opportunities_opportunity_change", args=[opportunity.pk])
    closed_lost = Stage.objects.get(name="Closed Lost")

    # when
    response = client.post(url, change_form_data(client, url, stage=closed_lost.pk, next_step="Call back"))

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"lost_reason": ["Say why the deal was lost."]}
    opportunity.refresh_from_db()
    assert (opportunity.stage.name, opportunity.next_step) == ("Prospecting", "")
    assert not OpportunityStageChange.objects.filter(opportunity=opportunity).exists()


def test_the_contact_roles_of_an_opportunity_are_read_only_in_the_admin(client, admin):
    # given
    opportunity = OpportunityFactory(owner=admin)
    role = OpportunityContactRole.objects.create(
        opportunity=opportunity, contact=ContactFactory(owner=admin), role="Buyer"
    )
    client.force_login(admin)
    url = reverse("admin:opportunities_opportunity_change", args=[opportunity.pk])
    data = change_form_data(client, url)

    # when
    data.update({"contact_roles-0-role": "Champion", "contact_roles-0-DELETE": "on"})
    response = client.post(url, data)

    # then
    assert response.status_code == 302
    role.refresh_from_db()
    assert role.role == "Buyer"
    assert client.get(reverse("admin:opportunities_opportunitycontactrole_add")).status_code == 403


def test_a_stage_in_use_cannot_be_deleted_in_the_admin(client, admin):
    # given
    stage = OpportunityFactory(owner=admin).stage
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:opportunities_stage_delete", args=[stage.pk]), {"post": "yes"})

    # then
    assert response.status_code == 200
    assert "Cannot delete stage" in response.content.decode()
    assert Stage.objects.filter(pk=stage.pk).exists()


def test_a_stage_edited_in_the_stage_list_is_saved(client, admin):
    # given
    stages = list(Stage.objects.order_by("order"))
    client.force_login(admin)
    data = {"form-TOTAL_FORMS": len(stages), "form-INITIAL_FORMS": len(stages), "_save": "Save"}
    for index, stage in enumerate(stages):
        data |= {f"form-{index}-id": stage.pk, f"form-{index}-order": stage.order}
        data[f"form-{index}-probability"] = 15 if stage.name == "Prospecting" else stage.probability

    # when
    response = client.post(reverse("admin:opportunities_stage_changelist"), data)

    # then
    assert response.status_code == 302
    assert Stage.objects.get(name="Prospecting").probability == 15


def test_an_opportunity_is_deleted_in_the_admin_with_its_stage_history(client, admin):
    # given
    opportunity = OpportunityFactory(owner=admin)
    OpportunityStageChange.objects.create(
        opportunity=opportunity, to_stage=opportunity.stage, changed_by=admin, changed_at=opportunity.created_at
    )
    client.force_login(admin)

    # when
    response = client.post(reverse("admin:opportunities_opportunity_delete", args=[opportunity.pk]), {"post": "yes"})

    # then
    assert response.status_code == 302
    assert not Opportunity.objects.filter(pk=opportunity.pk).exists()
