"""The Convert page: suggestions with reasons, choices, success, races and errors."""

import pytest
from django.urls import reverse

from accounts.models import Account
from accounts.services import create_account
from contacts.services import create_contact
from conversion.services import convert_lead
from leads.models import Lead
from opportunities.models import Opportunity, Stage
from tests.factories import qualified_lead

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {"account": "new", "contact": "new", "create_opportunity": "on", "stage": Stage.objects.open().first().pk}
    data.update(overrides)
    return data


def test_the_page_suggests_the_matching_account_and_contact_with_their_reasons(client, rep):
    account = create_account(by=rep, name="Acme Europe", website="acme.example")
    contact = create_contact(by=rep, account=account, last_name="Lovelace", email="ada@acme.example")
    lead = qualified_lead(rep)
    client.force_login(rep)

    response = client.get(reverse("conversion:convert", args=[lead.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Acme Europe — same company domain (acme.example)" in content
    assert "Lovelace &lt;ada@acme.example&gt; — same email" in content
    form = response.context["form"]
    assert form.initial["account"] == str(account.pk)
    assert form.initial["contact"] == str(contact.pk)


def test_the_page_costs_a_fixed_number_of_queries(client, rep, django_assert_max_num_queries):
    for n in range(10):
        create_account(by=rep, name=f"Acme {n}", website=f"acme{n}.example")
    lead = qualified_lead(rep)
    client.force_login(rep)

    with django_assert_max_num_queries(14):
        assert client.get(reverse("conversion:convert", args=[lead.pk])).status_code == 200


def test_another_rep_gets_404(client, rep, other_rep):
    lead = qualified_lead(rep)
    client.force_login(other_rep)

    assert client.get(reverse("conversion:convert", args=[lead.pk])).status_code == 404
    assert client.post(reverse("conversion:convert", args=[lead.pk]), form_data()).status_code == 404
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.QUALIFIED


def test_converting_into_an_existing_account_lands_on_the_new_opportunity_with_a_message(client, rep):
    account = create_account(by=rep, name="Initech", website="initech.example")
    lead = qualified_lead(rep)
    client.force_login(rep)

    response = client.post(
        reverse("conversion:convert", args=[lead.pk]),
        form_data(account="other", other_account=account.pk, opportunity_name="Initech pilot", amount="900"),
        follow=True,
    )

    opportunity = Opportunity.objects.get()
    assert response.redirect_chain[-1][0] == reverse("opportunities:detail", args=[opportunity.pk])
    assert (opportunity.account, opportunity.name, str(opportunity.amount)) == (account, "Initech pilot", "900.00")
    assert "Ada Lovelace was converted into Initech." in response.content.decode()


def test_without_an_opportunity_the_rep_lands_on_the_account(client, rep):
    lead = qualified_lead(rep)
    client.force_login(rep)

    response = client.post(reverse("conversion:convert", args=[lead.pk]), form_data(create_opportunity=""))

    account = Account.objects.get()
    assert response["Location"] == reverse("accounts:detail", args=[account.pk])
    assert not Opportunity.objects.exists()


def test_choosing_another_account_without_picking_one_shows_a_field_error(client, rep):
    lead = qualified_lead(rep)
    client.force_login(rep)

    response = client.post(reverse("conversion:convert", args=[lead.pk]), form_data(account="other"))

    assert response.status_code == 200
    assert response.context["form"].errors["other_account"] == ["Choose the account."]
    assert not Account.objects.exists()


def test_a_contact_of_another_account_shows_an_error_on_the_contact(client, rep):
    account = create_account(by=rep, name="Acme")
    stranger = create_contact(by=rep, account=create_account(by=rep, name="Other"), last_name="X")
    lead = qualified_lead(rep)
    client.force_login(rep)

    response = client.post(
        reverse("conversion:convert", args=[lead.pk]),
        form_data(account=str(account.pk), contact="other", other_contact=stranger.pk),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["contact"] == ["Choose a contact of the chosen account."]
    assert Lead.objects.get(pk=lead.pk).status == Lead.Status.QUALIFIED


def test_a_lead_converted_meanwhile_shows_a_clear_message_and_the_records_it_became(client, rep, other_rep):
    lead = qualified_lead(rep)
    client.force_login(rep)
    page = client.get(reverse("conversion:convert", args=[lead.pk]))
    assert page.status_code == 200
    conversion = convert_lead(lead, by=rep)

    response = client.post(reverse("conversion:convert", args=[lead.pk]), form_data(), follow=True)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Someone converted this lead meanwhile" in content
    assert "This lead was converted" in content
    assert reverse("opportunities:detail", args=[conversion.opportunity.pk]) in content
    assert Account.objects.count() == 1


def test_the_unqualified_lead_shows_the_reason_it_cannot_be_converted(client, rep):
    lead = qualified_lead(rep, status=Lead.Status.UNQUALIFIED)
    client.force_login(rep)

    response = client.post(reverse("conversion:convert", args=[lead.pk]), form_data())

    assert response.status_code == 200
    assert "An unqualified lead cannot be converted." in response.content.decode()
    assert not Account.objects.exists()


def test_the_lead_page_offers_convert_except_for_an_unqualified_lead(client, rep):
    lead = qualified_lead(rep)
    unqualified = qualified_lead(rep, status=Lead.Status.UNQUALIFIED, email="u@acme.example")
    client.force_login(rep)

    assert (
        reverse("conversion:convert", args=[lead.pk])
        in client.get(reverse("leads:detail", args=[lead.pk])).content.decode()
    )
    page = client.get(reverse("leads:detail", args=[unqualified.pk])).content.decode()
    assert reverse("conversion:convert", args=[unqualified.pk]) not in page


def test_the_landing_pages_answer_404_to_another_rep(client, rep, other_rep):
    conversion = convert_lead(qualified_lead(rep), by=rep)
    client.force_login(other_rep)

    assert client.get(reverse("opportunities:detail", args=[conversion.opportunity.pk])).status_code == 404
    assert client.get(reverse("accounts:detail", args=[conversion.account.pk])).status_code == 404


def test_the_admin_shows_a_converted_lead_read_only(client, admin):
    lead = qualified_lead(admin)
    convert_lead(lead, by=admin)
    admin.is_staff = admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(admin)

    url = reverse("admin:leads_lead_change", args=[lead.pk])
    page = client.get(url)
    posted = client.post(url, {"last_name": "Changed", "status": "new"})

    assert page.status_code == 200
    assert posted.status_code == 403
    assert 'name="_save"' not in page.content.decode()
    assert Lead.objects.get(pk=lead.pk).last_name == "Lovelace"
