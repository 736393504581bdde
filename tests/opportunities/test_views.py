"""The opportunity pages and the board: stage moves, totals, filters, the new and edit forms."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from activities.models import Event
from opportunities.models import Opportunity, Stage
from opportunities.services import ContactRole, create_opportunity
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_moving_a_deal_changes_stage_probability_and_history(client, rep):
    account = AccountFactory(owner=rep)
    deal = create_opportunity(by=rep, account=account, name="Big one", amount="5000.00")
    client.force_login(rep)
    stage = Stage.objects.get(name="Proposal")
    response = client.post(
        reverse("opportunities:move", args=[deal.pk]), {"stage": stage.pk, "next": "/opportunities/board/"}
    )
    assert response["Location"] == "/opportunities/board/"
    deal.refresh_from_db()
    assert (deal.stage, deal.probability) == (stage, 60)
    content = client.get(reverse("opportunities:detail", args=[deal.pk])).content.decode()
    assert "Prospecting → <strong>Proposal</strong>" in content


def test_closing_as_lost_needs_a_reason(client, rep):
    deal = create_opportunity(by=rep, account=AccountFactory(owner=rep), name="Long shot")
    lost = Stage.objects.get(name="Closed Lost")
    client.force_login(rep)
    response = client.post(reverse("opportunities:move", args=[deal.pk]), {"stage": lost.pk})
    assert response.status_code == 400
    assert "Say why the deal was lost." in response.content.decode()
    client.post(reverse("opportunities:move", args=[deal.pk]), {"stage": lost.pk, "lost_reason": "Went with a rival"})
    deal.refresh_from_db()
    assert deal.stage == lost and deal.lost_reason == "Went with a rival" and deal.closed_at is not None
    won = Stage.objects.get(name="Closed Won")
    deal2 = create_opportunity(by=rep, account=AccountFactory(owner=rep), name="Sure thing")
    client.post(reverse("opportunities:move", args=[deal2.pk]), {"stage": won.pk})
    deal2.refresh_from_db()
    assert deal2.stage == won


def test_the_board_totals_count_amount_and_weighted_amount_per_stage(client, rep, other_rep):
    account = AccountFactory(owner=rep)
    create_opportunity(by=rep, account=account, name="A", amount="1000.00")
    create_opportunity(by=rep, account=account, name="B", amount="3000.00")
    create_opportunity(by=rep, account=account, name="C", amount="2000.00", stage=Stage.objects.get(name="Proposal"))
    create_opportunity(by=other_rep, account=AccountFactory(owner=other_rep), name="D", amount="9999.00")
    client.force_login(rep)
    columns = {c.stage.name: c for c in client.get(reverse("opportunities:board")).context["columns"]}
    assert "Closed Won" not in columns
    assert (columns["Prospecting"].count, columns["Prospecting"].amount, columns["Prospecting"].weighted) == (
        2,
        4000,
        400,
    )
    assert (columns["Proposal"].count, columns["Proposal"].amount, columns["Proposal"].weighted) == (1, 2000, 1200)


def test_the_board_filters_by_owner_and_close_month(client, rep, manager):
    account = AccountFactory(owner=rep)
    today = timezone.localdate()
    create_opportunity(by=rep, account=account, name="ThisMonth", close_date=today)
    create_opportunity(by=rep, account=account, name="NextYear", close_date=today.replace(year=today.year + 1))
    create_opportunity(by=manager, account=AccountFactory(owner=manager), name="Bosses", close_date=today)
    client.force_login(manager)
    content = client.get(
        reverse("opportunities:board"), {"owner": rep.pk, "close_month": today.strftime("%Y-%m")}
    ).content.decode()
    assert "ThisMonth" in content and "NextYear" not in content and "Bosses" not in content
    assert client.get(reverse("opportunities:board"), {"close_month": "junk"}).status_code == 200


def test_editing_a_deal_saves_amount_and_close_date(client, rep):
    account = AccountFactory(owner=rep)
    deal = create_opportunity(by=rep, account=account, name="Edit me", amount="100.00")
    client.force_login(rep)
    assert (
        f'href="/opportunities/{deal.pk}/edit/"'
        in client.get(reverse("opportunities:detail", args=[deal.pk])).content.decode()
    )
    fields = {"name": "Edit me", "account": account.pk, "stage": deal.stage_id, "probability": "10"}
    response = client.post(
        reverse("opportunities:edit", args=[deal.pk]), {**fields, "amount": "-5", "close_date": "someday"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"amount", "close_date"}
    assert Opportunity.objects.get(pk=deal.pk).amount == Decimal("100.00")
    response = client.post(
        reverse("opportunities:edit", args=[deal.pk]),
        {**fields, "amount": "2500", "probability": "30", "close_date": "2030-01-31"},
    )
    assert response["Location"] == reverse("opportunities:detail", args=[deal.pk])
    deal = Opportunity.objects.get(pk=deal.pk)
    assert (str(deal.amount), str(deal.close_date), deal.probability) == ("2500.00", "2030-01-31", 30)


def roles_post(*rows, primary=None) -> dict:
    """The role rows of the deal form: (contact, role name) pairs, then empty rows."""
    data = {}
    for index, (contact, role) in enumerate(rows):
        data[f"role_contact_{index}"] = contact.pk
        data[f"role_name_{index}"] = role
    if primary is not None:
        data["primary_role"] = primary
    return data


def test_a_deal_created_on_an_account_has_its_stage_amount_close_date_and_contact_roles(client, rep):
    account = AccountFactory(owner=rep, name="Globex")
    hank, mindy = ContactFactory(owner=rep, account=account), ContactFactory(owner=rep, account=account)
    client.force_login(rep)
    assert 'href="/opportunities/new/"' in client.get(reverse("opportunities:list")).content.decode()
    page = client.get(reverse("opportunities:create"), {"account": account.pk})
    assert page.context["form"]["account"].value() == account.pk
    proposal = Stage.objects.get(name="Proposal")
    response = client.post(
        reverse("opportunities:create"),
        {
            "name": "Globex rollout",
            "account": account.pk,
            "stage": proposal.pk,
            "amount": "12000",
            "close_date": "2030-06-30",
            **roles_post((hank, "Economic buyer"), (mindy, "Champion"), primary=1),
        },
    )
    deal = Opportunity.objects.get(name="Globex rollout")
    assert response["Location"] == reverse("opportunities:detail", args=[deal.pk])
    assert (deal.account, deal.stage, deal.probability, deal.owner) == (account, proposal, 60, rep)
    assert (deal.amount, str(deal.close_date)) == (Decimal("12000.00"), "2030-06-30")
    roles = {(r.contact, r.role, r.is_primary) for r in deal.contact_roles.all()}
    assert roles == {(hank, "Economic buyer", False), (mindy, "Champion", True)}


def test_bad_input_shows_field_errors_and_writes_nothing(client, rep, other_rep):
    account = AccountFactory(owner=rep)
    stranger = ContactFactory(owner=rep, account=AccountFactory(owner=rep))
    theirs = AccountFactory(owner=other_rep, name="Their account")
    client.force_login(rep)
    stage = Stage.objects.get(name="Prospecting")
    base = {"name": "Deal", "account": account.pk, "stage": stage.pk}
    response = client.post(
        reverse("opportunities:create"),
        {**base, "name": "", "amount": "-1", "close_date": "31/31/2030", "account": theirs.pk},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "amount", "close_date", "account"}
    assert "Their account" not in response.content.decode()
    response = client.post(reverse("opportunities:create"), {**base, **roles_post((stranger, ""))})
    assert response.status_code == 200
    assert f"{stranger} is not a contact of" in response.content.decode()
    response = client.post(reverse("opportunities:create"), {**base, "role_name_0": "Champion"})
    assert response.context["form"].errors["role_contact_0"] == ["Pick the contact who plays this role."]
    assert not Opportunity.objects.exists()


def test_editing_replaces_the_contact_roles_and_a_new_stage_brings_its_probability(client, rep):
    account = AccountFactory(owner=rep)
    hank, mindy = ContactFactory(owner=rep, account=account), ContactFactory(owner=rep, account=account)
    deal = create_opportunity(by=rep, account=account, name="Deal", contact_roles=[ContactRole(hank, "Buyer")])
    client.force_login(rep)
    form = client.get(reverse("opportunities:edit", args=[deal.pk])).context["form"]
    assert form["role_contact_0"].value() == hank.pk and form["primary_role"].value() == 0
    negotiation = Stage.objects.get(name="Negotiation")
    client.post(
        reverse("opportunities:edit", args=[deal.pk]),
        {
            "name": "Deal",
            "account": account.pk,
            "stage": negotiation.pk,
            "probability": "10",
            **roles_post((mindy, "Champion")),
        },
    )
    deal = Opportunity.objects.get(pk=deal.pk)
    assert (deal.stage, deal.probability) == (negotiation, 80)
    assert [(r.contact, r.is_primary) for r in deal.contact_roles.all()] == [(mindy, True)]
    assert Event.objects.filter(opportunity=deal, kind="contact_roles_changed").exists()


def test_a_second_rep_gets_404_on_the_edit_page_and_a_manager_sets_the_owner(client, rep, other_rep, manager):
    account = AccountFactory(owner=rep)
    deal = create_opportunity(by=rep, account=account, name="Deal")
    client.force_login(other_rep)
    assert client.get(reverse("opportunities:edit", args=[deal.pk])).status_code == 404
    assert client.post(reverse("opportunities:edit", args=[deal.pk]), {"name": "Taken"}).status_code == 404
    client.force_login(manager)
    fields = {"name": "Deal", "account": account.pk, "stage": deal.stage_id, "probability": "10", "owner": manager.pk}
    client.post(reverse("opportunities:edit", args=[deal.pk]), fields)
    assert Opportunity.objects.get(pk=deal.pk).owner == manager
    client.post(reverse("opportunities:create"), {**fields, "name": "Theirs", "owner": rep.pk})
    assert Opportunity.objects.get(name="Theirs").owner == rep


def test_the_deal_form_costs_the_same_queries_with_more_contact_roles(client, rep, django_assert_num_queries):
    account = AccountFactory(owner=rep)
    contacts = [ContactFactory(owner=rep, account=account) for _ in range(6)]
    few = create_opportunity(by=rep, account=account, name="Few", contact_roles=[ContactRole(contacts[0])])
    many = create_opportunity(by=rep, account=account, name="Many", contact_roles=[ContactRole(c) for c in contacts])
    client.force_login(rep)
    client.get(reverse("opportunities:edit", args=[few.pk]))
    with CaptureQueriesContext(connection) as few_queries:
        client.get(reverse("opportunities:edit", args=[few.pk]))
    with django_assert_num_queries(len(few_queries)):
        client.get(reverse("opportunities:edit", args=[many.pk]))
