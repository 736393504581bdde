"""The account pages: what they show and what they cost in queries."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_account_page_lists_contacts_deals_and_timeline(client, rep, deal_world, django_assert_max_num_queries):
    account, contacts, deals = deal_world
    client.force_login(rep)
    # session, user, account, contacts, deals, 2 timeline sources, session save (3 statements)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("accounts:detail", args=[account.pk]))
    content = response.content.decode()
    assert all(f'href="/contacts/{c.pk}/"' in content for c in contacts)
    assert all(f'href="/opportunities/{d.pk}/"' in content for d in deals)
    assert "Deal note" in content
