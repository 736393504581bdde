"""Writes on opportunities: contact roles come from the deal's account, one of them primary."""

import pytest
from django.core.exceptions import ValidationError

from activities.models import Event
from contacts.models import AccountContactRelation
from opportunities.models import Opportunity
from opportunities.services import ContactRole, create_opportunity, update_opportunity
from tests.factories import AccountFactory, ContactFactory

pytestmark = pytest.mark.django_db


def test_the_first_role_is_primary_unless_another_says_so(rep):
    account = AccountFactory(owner=rep)
    first, second = ContactFactory(owner=rep, account=account), ContactFactory(owner=rep, account=account)
    deal = create_opportunity(
        by=rep, account=account, name="D", contact_roles=[ContactRole(first), ContactRole(second)]
    )
    assert deal.contact_roles.get(is_primary=True).contact == first
    update_opportunity(deal, by=rep, data={"contact_roles": [ContactRole(first), ContactRole(second, is_primary=True)]})
    assert deal.contact_roles.get(is_primary=True).contact == second


def test_a_contact_related_to_the_account_may_play_a_role_a_stranger_may_not(rep):
    account = AccountFactory(owner=rep)
    related = ContactFactory(owner=rep, account=AccountFactory(owner=rep))
    AccountContactRelation.objects.create(account=account, contact=related, role="Advisor")
    stranger = ContactFactory(owner=rep, account=AccountFactory(owner=rep))
    deal = create_opportunity(by=rep, account=account, name="D", contact_roles=[ContactRole(related)])
    assert deal.contact_roles.get().contact == related
    with pytest.raises(ValidationError) as caught:
        create_opportunity(by=rep, account=account, name="Nope", contact_roles=[ContactRole(stranger)])
    assert "contact_roles" in caught.value.error_dict
    assert not Opportunity.objects.filter(name="Nope").exists()


def test_a_contact_twice_or_two_primaries_are_refused(rep):
    account = AccountFactory(owner=rep)
    a, b = ContactFactory(owner=rep, account=account), ContactFactory(owner=rep, account=account)
    deal = create_opportunity(by=rep, account=account, name="D")
    for roles in ([ContactRole(a), ContactRole(a)], [ContactRole(a, is_primary=True), ContactRole(b, is_primary=True)]):
        with pytest.raises(ValidationError):
            update_opportunity(deal, by=rep, data={"contact_roles": roles})
    assert not deal.contact_roles.exists()


def test_saving_the_same_roles_again_records_nothing(rep):
    account = AccountFactory(owner=rep)
    a = ContactFactory(owner=rep, account=account)
    deal = create_opportunity(by=rep, account=account, name="D")
    update_opportunity(deal, by=rep, data={"contact_roles": [ContactRole(a, "Buyer")]})
    update_opportunity(deal, by=rep, data={"contact_roles": [ContactRole(a, "Buyer")]})
    assert Event.objects.filter(opportunity=deal, kind="contact_roles_changed").count() == 1
